//! The actions the model asks about, and what each acts on. Every statement is matched against
//! this list once (a bit mask per statement), so later questions are bit tests.

/// What an action's `Resource` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Secret,
    Role,
    User,
    Group,
    /// A customer-managed policy.
    Policy,
    /// Something the model has no list of (a Lambda function, an instance): any resource.
    Any,
}

/// An action (lower case, as compared) and its target.
pub struct ActionDef {
    pub name: &'static str,
    pub target: Target,
}

macro_rules! catalog {
    ($($id:ident = $name:literal on $target:ident;)*) => {
        /// Indices into [`CATALOG`].
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Act { $($id),* }

        pub const CATALOG: &[ActionDef] = &[$(ActionDef { name: $name, target: Target::$target }),*];
    };
}

catalog! {
    GetSecretValue = "secretsmanager:getsecretvalue" on Secret;
    PutResourcePolicy = "secretsmanager:putresourcepolicy" on Secret;
    AssumeRole = "sts:assumerole" on Role;
    PassRole = "iam:passrole" on Role;
    UpdateAssumeRolePolicy = "iam:updateassumerolepolicy" on Role;
    PutRolePolicy = "iam:putrolepolicy" on Role;
    AttachRolePolicy = "iam:attachrolepolicy" on Role;
    DeleteRolePermissionsBoundary = "iam:deleterolepermissionsboundary" on Role;
    PutRolePermissionsBoundary = "iam:putrolepermissionsboundary" on Role;
    PutUserPolicy = "iam:putuserpolicy" on User;
    AttachUserPolicy = "iam:attachuserpolicy" on User;
    DeleteUserPermissionsBoundary = "iam:deleteuserpermissionsboundary" on User;
    PutUserPermissionsBoundary = "iam:putuserpermissionsboundary" on User;
    CreateAccessKey = "iam:createaccesskey" on User;
    CreateLoginProfile = "iam:createloginprofile" on User;
    UpdateLoginProfile = "iam:updateloginprofile" on User;
    PutGroupPolicy = "iam:putgrouppolicy" on Group;
    AttachGroupPolicy = "iam:attachgrouppolicy" on Group;
    AddUserToGroup = "iam:addusertogroup" on Group;
    CreatePolicyVersion = "iam:createpolicyversion" on Policy;
    SetDefaultPolicyVersion = "iam:setdefaultpolicyversion" on Policy;
    LambdaCreateFunction = "lambda:createfunction" on Any;
    LambdaInvokeFunction = "lambda:invokefunction" on Any;
    LambdaCreateEventSourceMapping = "lambda:createeventsourcemapping" on Any;
    Ec2RunInstances = "ec2:runinstances" on Any;
    EcsRegisterTaskDefinition = "ecs:registertaskdefinition" on Any;
    EcsRunTask = "ecs:runtask" on Any;
    GlueCreateDevEndpoint = "glue:createdevendpoint" on Any;
    GlueCreateJob = "glue:createjob" on Any;
    GlueStartJobRun = "glue:startjobrun" on Any;
    CloudFormationCreateStack = "cloudformation:createstack" on Any;
    CodeBuildCreateProject = "codebuild:createproject" on Any;
    CodeBuildStartBuild = "codebuild:startbuild" on Any;
    SageMakerCreateNotebookInstance = "sagemaker:createnotebookinstance" on Any;
    SageMakerCreateTrainingJob = "sagemaker:createtrainingjob" on Any;
    SageMakerCreateProcessingJob = "sagemaker:createprocessingjob" on Any;
    // An action of no service: only `*` or a NotAction can name it, which is what
    // "every action" means for administrative access.
    AnyAction = "keyward-probe:anyaction" on Any;
}

impl Act {
    pub fn def(self) -> &'static ActionDef {
        &CATALOG[self as usize]
    }

    pub fn bit(self) -> u64 {
        1 << (self as u8)
    }

    /// The name as AWS writes it (`secretsmanager:GetSecretValue`), for reports.
    pub fn display(self) -> String {
        let (service, name) = self
            .def()
            .name
            .split_once(':')
            .unwrap_or(("", self.def().name));
        let proper = DISPLAY_NAMES
            .iter()
            .find(|(lower, _)| lower.eq_ignore_ascii_case(name))
            .map_or(name, |(_, proper)| proper);
        format!("{service}:{proper}")
    }
}

/// Operation names as AWS capitalises them (the catalog holds them in lower case).
const DISPLAY_NAMES: &[(&str, &str)] = &[
    ("getsecretvalue", "GetSecretValue"),
    ("putresourcepolicy", "PutResourcePolicy"),
    ("assumerole", "AssumeRole"),
    ("passrole", "PassRole"),
    ("updateassumerolepolicy", "UpdateAssumeRolePolicy"),
    ("putrolepolicy", "PutRolePolicy"),
    ("attachrolepolicy", "AttachRolePolicy"),
    (
        "deleterolepermissionsboundary",
        "DeleteRolePermissionsBoundary",
    ),
    ("putrolepermissionsboundary", "PutRolePermissionsBoundary"),
    ("putuserpolicy", "PutUserPolicy"),
    ("attachuserpolicy", "AttachUserPolicy"),
    (
        "deleteuserpermissionsboundary",
        "DeleteUserPermissionsBoundary",
    ),
    ("putuserpermissionsboundary", "PutUserPermissionsBoundary"),
    ("createaccesskey", "CreateAccessKey"),
    ("createloginprofile", "CreateLoginProfile"),
    ("updateloginprofile", "UpdateLoginProfile"),
    ("putgrouppolicy", "PutGroupPolicy"),
    ("attachgrouppolicy", "AttachGroupPolicy"),
    ("addusertogroup", "AddUserToGroup"),
    ("createpolicyversion", "CreatePolicyVersion"),
    ("setdefaultpolicyversion", "SetDefaultPolicyVersion"),
    ("createfunction", "CreateFunction"),
    ("invokefunction", "InvokeFunction"),
    ("createeventsourcemapping", "CreateEventSourceMapping"),
    ("runinstances", "RunInstances"),
    ("registertaskdefinition", "RegisterTaskDefinition"),
    ("runtask", "RunTask"),
    ("createdevendpoint", "CreateDevEndpoint"),
    ("createjob", "CreateJob"),
    ("startjobrun", "StartJobRun"),
    ("createstack", "CreateStack"),
    ("createproject", "CreateProject"),
    ("startbuild", "StartBuild"),
    ("createnotebookinstance", "CreateNotebookInstance"),
    ("createtrainingjob", "CreateTrainingJob"),
    ("createprocessingjob", "CreateProcessingJob"),
];

/// The bit mask of the catalog's actions an `Action`/`NotAction` element covers.
pub fn mask_of(actions: &super::document::ActionSet) -> u64 {
    CATALOG
        .iter()
        .enumerate()
        .filter(|(_, def)| actions.matches(def.name))
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// Compute services a principal can run code in with a role it passes: the service principal
/// the role must trust, and the sets of actions that each suffice to start code as the role.
pub const COMPUTE_SERVICES: &[(&str, &[&[Act]])] = &[
    (
        "lambda.amazonaws.com",
        &[
            &[Act::LambdaCreateFunction, Act::LambdaInvokeFunction],
            &[
                Act::LambdaCreateFunction,
                Act::LambdaCreateEventSourceMapping,
            ],
        ],
    ),
    ("ec2.amazonaws.com", &[&[Act::Ec2RunInstances]]),
    (
        "ecs-tasks.amazonaws.com",
        &[&[Act::EcsRegisterTaskDefinition, Act::EcsRunTask]],
    ),
    (
        "glue.amazonaws.com",
        &[
            &[Act::GlueCreateDevEndpoint],
            &[Act::GlueCreateJob, Act::GlueStartJobRun],
        ],
    ),
    (
        "cloudformation.amazonaws.com",
        &[&[Act::CloudFormationCreateStack]],
    ),
    (
        "codebuild.amazonaws.com",
        &[&[Act::CodeBuildCreateProject, Act::CodeBuildStartBuild]],
    ),
    (
        "sagemaker.amazonaws.com",
        &[
            &[Act::SageMakerCreateNotebookInstance],
            &[Act::SageMakerCreateTrainingJob],
            &[Act::SageMakerCreateProcessingJob],
        ],
    ),
];

/// The actions that together make administrative access: every action of every service (a
/// wildcard or NotAction grant), and IAM's privilege-management actions, each on any resource.
pub const ADMIN_ACTIONS: &[Act] = &[
    Act::AnyAction,
    Act::PutUserPolicy,
    Act::AttachUserPolicy,
    Act::PutRolePolicy,
    Act::AttachRolePolicy,
    Act::CreatePolicyVersion,
    Act::CreateAccessKey,
    Act::UpdateAssumeRolePolicy,
    Act::PassRole,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::document::ActionSet;

    #[test]
    fn the_catalog_fits_a_mask_and_names_read_as_aws_writes_them() {
        assert!(CATALOG.len() <= 64);
        assert_eq!(
            Act::GetSecretValue.display(),
            "secretsmanager:GetSecretValue"
        );
        assert_eq!(Act::AnyAction as usize, CATALOG.len() - 1);
        let power_user = ActionSet {
            negated: true,
            patterns: vec!["iam:*".into(), "organizations:*".into(), "account:*".into()],
        };
        let mask = mask_of(&power_user);
        assert!(mask & Act::AnyAction.bit() != 0);
        assert!(mask & Act::GetSecretValue.bit() != 0);
        assert!(mask & Act::PassRole.bit() == 0);
    }
}
