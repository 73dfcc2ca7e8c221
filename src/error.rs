//! The one error type of kbmc. Owns how input errors are located (file, document, field path)
//! and which exit code each class maps to. It must not format reports for stdout: that is
//! `report/`'s job; `Display` here is the one-line message written to stderr.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a piece of input came from: a file, the 1-based index of the YAML document in it, the
/// 1-based line where that document's content starts (0: not known), and, for documents of
/// `kind: List`, the index of the item inside `items`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub file: PathBuf,
    pub document: usize,
    pub line: usize,
    pub item: Option<usize>,
}

impl Origin {
    pub fn new(file: &Path, document: usize) -> Self {
        Origin { file: file.to_path_buf(), document, line: 0, item: None }
    }

    /// The field path prefix for this origin: `items[3].` inside a List, empty otherwise.
    pub fn field_prefix(&self) -> String {
        match self.item {
            Some(i) => format!("items[{i}]."),
            None => String::new(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (document {}", self.file.display(), self.document)?;
        if let Some(i) = self.item {
            write!(f, ", items[{i}]")?;
        }
        write!(f, ")")
    }
}

/// The classes of bad input. Each has a fixture and a test in tests/it/inputs.rs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputClass {
    /// The file cannot be read or is not YAML.
    Syntax,
    /// `apiVersion`/`kind` that kbmc does not know.
    UnknownKind,
    /// A field kbmc (or Kubernetes) does not know at all: almost always a typo.
    UnknownField,
    /// A required field is absent or has the wrong type.
    MissingOrMistyped,
    /// A quantity such as `250m` or `1Gi` that does not parse.
    BadQuantity,
    /// A reference to an object that is not in the input (an HPA whose target is absent).
    DanglingReference,
    /// A field that changes behaviour in Kubernetes but is not modelled by kbmc.
    Unmodeled,
    /// A value that parses but is not allowed (a negative count, min > max, ...).
    Invalid,
    /// Not an error: input kbmc reads past because it cannot matter to this check (a
    /// ResourceQuota in a namespace without a modelled workload). Printed as a note.
    Note,
}

/// One located input error: enough for a user to find and fix the line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InputError {
    pub class: InputClass,
    pub file: PathBuf,
    /// 1-based document index; `None` when the error concerns the whole file or the set of files.
    pub document: Option<usize>,
    pub item: Option<usize>,
    /// The object, as `Kind/name`, when known.
    pub object: Option<String>,
    /// Dotted field path from the document root, e.g. `spec.template.spec.affinity`.
    pub field: String,
    /// What was found and what was expected.
    pub message: String,
}

impl InputError {
    pub fn at(origin: &Origin, class: InputClass, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        InputError {
            class,
            file: origin.file.clone(),
            document: Some(origin.document),
            item: origin.item,
            object: None,
            field: if field.is_empty() { field } else { format!("{}{}", origin.field_prefix(), field) },
            message: message.into(),
        }
    }

    pub fn file(file: &Path, class: InputClass, message: impl Into<String>) -> Self {
        InputError {
            class,
            file: file.to_path_buf(),
            document: None,
            item: None,
            object: None,
            field: String::new(),
            message: message.into(),
        }
    }

    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(d) = self.document {
            write!(f, ": document {d}")?;
        }
        if let Some(i) = self.item {
            write!(f, ", items[{i}]")?;
        }
        if let Some(o) = &self.object {
            write!(f, " ({o})")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every way a kbmc run can fail before it reaches a verdict.
#[derive(Debug)]
pub enum Error {
    /// Bad input: one or more located errors, all reported at once. Exit code 2.
    Input(Vec<InputError>),
    /// Bad command-line usage that clap could not catch. Exit code 2.
    Usage(String),
    /// A feature that is asked for but not built yet. Exit code 2: the input asks for something
    /// kbmc cannot do, and saying so is better than a wrong verdict.
    Unimplemented(String),
    /// The report could not be written (a full disk, a closed file). Exit code 2.
    Output(String),
    /// A bug in kbmc (for example a trace that does not replay). Exit code 4.
    Internal(String),
}

impl Error {
    pub fn input(e: InputError) -> Self {
        Error::Input(vec![e])
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Usage(_) | Error::Unimplemented(_) | Error::Output(_) => 2,
            Error::Internal(_) => 4,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(errs) => {
                for (i, e) in errs.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "error: {e}")?;
                }
                Ok(())
            }
            Error::Usage(m) | Error::Output(m) => write!(f, "error: {m}"),
            Error::Unimplemented(m) => write!(f, "error: not implemented yet: {m}"),
            Error::Internal(m) => write!(f, "internal error (a bug in kbmc, please report it): {m}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
