package acme.lib.people

is_person(user) if startswith(user.arn, sprintf("arn:aws:iam::%s:user/people/", [input.snapshot.account.id]))

is_person(user) if user.tags.team != ""

names := {u.name | some u in input.snapshot.users; is_person(u)}

by_name := {u.name: u.arn | some u in input.snapshot.users}

label(user) := x if {
	x := by_name[user.name]
} else := "unknown"
