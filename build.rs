//! Embeds the built-in policy pack (`policies/**/*.rego`) into the binary, so that keyward runs
//! anywhere without the repository beside it.

use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect_rego_files(&root, &mut files);
    files.sort();

    let mut out = String::from(
        "/// The built-in policy pack: (path relative to `policies/`, source).\n\
         pub static BUILTIN_POLICIES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        let relative = file.strip_prefix(&root).expect("file is under policies/");
        out += &format!(
            "    ({:?}, include_str!({:?})),\n",
            relative.to_string_lossy().replace('\\', "/"),
            file.display().to_string()
        );
    }
    out += "];\n";
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dest.join("builtin_policies.rs"), out).expect("OUT_DIR is writable");
}

fn collect_rego_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("policies/ is readable");
    for entry in entries {
        let path = entry.expect("policies/ entry is readable").path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect_rego_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rego") {
            println!("cargo:rerun-if-changed={}", path.display());
            files.push(path);
        }
    }
}
