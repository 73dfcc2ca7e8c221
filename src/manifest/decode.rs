//! Typed decoding of one YAML document (or one `items[i]` of a List) with located errors and
//! unknown-field detection. Shared by `manifest/` and `spec/`, the only modules that know YAML.

use kbmc_objects::Decode;
use serde::Deserializer;

use crate::error::{InputClass, InputError, Origin};

/// One YAML document of a file: the parser positioned at it (to decode it with line
/// numbers) or, for an item of a `kind: List`, its already parsed value.
pub struct Document<'a> {
    pub origin: Origin,
    /// The document's own parser, taken by the one typed decode it gets. Each document of a
    /// stream is parsed from its own position once, never by reparsing the stream up to it.
    pub typed: Option<serde_yaml::Deserializer<'a>>,
    /// Set for `items[i]` of a List: decoded from the value (no line numbers available).
    pub value: Option<serde_yaml::Value>,
    /// The document's value when its file has a core tag (`!!str 1`), for the tag-aware
    /// second read (`core_tags`).
    pub tagged: Option<serde_yaml::Value>,
}

/// Decodes `T` from `de` through a type-erased deserializer. Each manifest type's
/// `Deserialize` code (k8s-openapi's PodSpec and everything under it) is then compiled once,
/// for `dyn erased_serde::Deserializer`, instead of once per deserializer stack (the document
/// parser, an already parsed value, the tag-aware second read): those copies were most of the
/// crate's compiled code. The Kubernetes types' code is compiled in the kbmc-objects crate.
/// The stacks themselves (`D`) must not name `T`, or each is compiled once per type: the
/// callbacks that note unknown fields are `&mut dyn FnMut`, never a closure of a generic
/// function. Error messages are the inner deserializer's own, unchanged.
pub(crate) fn erased<'de, T: Decode, D: Deserializer<'de>>(de: D) -> Result<T, erased_serde::Error> {
    let mut de = <dyn erased_serde::Deserializer>::erase(de);
    T::decode(&mut de)
}

// kbmc's own manifest and spec types, decoded here (the Kubernetes ones in kbmc-objects).
kbmc_objects::decode_with_serde!(
    crate::spec::Verification,
    crate::spec::Event,
    crate::spec::Intent,
    super::vpa::VerticalPodAutoscaler,
    super::descheduler::DeschedulerPolicy,
    super::descheduler::DefaultEvictorArgs,
    super::descheduler::RemoveDuplicatesArgs,
    super::descheduler::TopologySpreadArgs,
    super::descheduler::LowNodeUtilizationArgs,
    super::descheduler::NodeTaintsArgs,
    super::descheduler::NodeAffinityArgs,
    super::descheduler::InterPodAntiAffinityArgs,
    super::scheduler_config::KubeSchedulerConfiguration,
    super::scheduler_config::NodeResourcesFitArgs,
    super::scheduler_config::BalancedAllocationArgs,
    super::scheduler_config::PodTopologySpreadArgs,
    super::scheduler_config::NodeAffinityArgs,
    super::scheduler_config::InterPodAffinityArgs,
);

/// serde_ignored's callback, the same type whatever is decoded.
type Note<'n> = &'n mut dyn FnMut(serde_ignored::Path);

/// Formats a serde_ignored path the way Kubernetes users write field paths:
/// `spec.template.spec.containers[0].resources`.
fn format_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", format_path(parent)),
        Path::Map { parent, key } => {
            let p = format_path(parent);
            if p.is_empty() {
                key.clone()
            } else {
                format!("{p}.{key}")
            }
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => format_path(parent),
    }
}

/// Splits serde_yaml's `spec.replicas: invalid type: ... at line 5 column 13` into the field
/// path and the rest. serde_yaml puts the path first when the error is below the root.
fn split_yaml_error(msg: &str) -> (String, String) {
    if let Some((head, rest)) = msg.split_once(": ") {
        let looks_like_path = !head.is_empty()
            && !head.contains(' ')
            && head.chars().all(|c| c.is_ascii_alphanumeric() || "._-[]/".contains(c));
        if looks_like_path && !head.chars().all(|c| c.is_ascii_digit()) {
            // An item of a list decoded on its own (spec.events, spec.intents) puts its index
            // and field first: `spec.intents: [0].drop: ...`.
            if let Some((item, msg)) = rest.split_once(": ").filter(|(p, _)| p.contains('[') && !p.contains(' ')) {
                // serde_yaml's position is that of the enclosing mapping, not the item's.
                let msg = msg.rfind(" at line ").map_or(msg, |at| &msg[..at]);
                return (format!("{head}.{item}"), msg.to_string());
            }
            return (head.to_string(), rest.to_string());
        }
    }
    (String::new(), msg.to_string())
}

fn classify(message: &str) -> InputClass {
    if message.contains("missing field") || message.contains("invalid type") || message.contains("unknown variant") {
        InputClass::MissingOrMistyped
    } else if message.contains("unknown field") {
        InputClass::UnknownField
    } else {
        InputClass::Invalid
    }
}

/// Decodes a document into `T`. A field that `T` does not know is an error (class
/// UnknownField): in a manifest it is almost always a typo whose intended effect kbmc would
/// silently miss, and `kubectl apply` rejects it too under strict field validation.
/// `typed_as_json`: the document's parsed value, for a Kubernetes object read from its own
/// parser, which reads a plain scalar as whatever type is asked (`value: 5` as the string
/// "5"); the API server reads YAML as JSON, where 5 is a number and no string, so the value
/// is decoded a second time, as a List's items are, with YAML's own types.
pub fn decode<T: Decode>(doc: &mut Document, typed_as_json: Option<&serde_yaml::Value>) -> Result<T, Vec<InputError>> {
    let mut unknown: Vec<String> = Vec::new();
    let result: Result<T, InputError> = match &doc.value {
        None => {
            let de = doc.typed.take().expect("a document without a value has its parser, decoded once");
            let mut note: Note = &mut |p| unknown.push(format_path(&p));
            let r = erased(serde_ignored::Deserializer::new(de, &mut note)).map_err(|e| {
                let (field, message) = split_yaml_error(&e.to_string());
                InputError::at(&doc.origin, classify(&message), field, message)
            });
            match r {
                Ok(v) => match doc
                    .tagged
                    .as_ref()
                    .and_then(|value| core_tags::<T>(&doc.origin, value))
                    .or_else(|| typed_as_json.and_then(|value| json_types::<T>(&doc.origin, value)))
                {
                    Some(e) => Err(e),
                    None => Ok(v),
                },
                Err(e) => Err(e),
            }
        }
        Some(value) => {
            let mut track = serde_path_to_error::Track::new();
            let de = serde_path_to_error::Deserializer::new(value.clone(), &mut track);
            let mut note: Note = &mut |p| unknown.push(format_path(&p));
            let r: Result<T, _> = erased(serde_ignored::Deserializer::new(de, &mut note));
            r.map_err(|e| {
                let path = track.path().to_string();
                let field = if path == "." { String::new() } else { path };
                let message = e.to_string();
                InputError::at(&doc.origin, classify(&message), field, message)
            })
        }
    };
    match result {
        Err(e) => Err(vec![e]),
        Ok(_) if !unknown.is_empty() => Err(unknown
            .into_iter()
            .map(|f| {
                InputError::at(
                    &doc.origin,
                    InputClass::UnknownField,
                    f,
                    "unknown field (is it misspelt? kbmc, like kubectl's strict validation, rejects fields it does not know)",
                )
            })
            .collect()),
        Ok(v) => Ok(v),
    }
}

/// serde_yaml reads a plain scalar by the type asked for whatever its tag says, so `!!str 1`
/// would count as the integer 1 where Kubernetes sees a string. A document with an explicit
/// tag is read again through its parsed value written back as YAML, where `!!str 1` is the
/// quoted string '1', and an error there is the document's error (without a position: it
/// would be that of the text written back).
fn core_tags<T: Decode>(origin: &Origin, value: &serde_yaml::Value) -> Option<InputError> {
    let text = serde_yaml::to_string(value).ok()?;
    let e = erased::<T, _>(serde_yaml::Deserializer::from_str(&text)).err()?;
    let m = e.to_string();
    let m = m.rfind(" at line ").map_or(m.as_str(), |at| &m[..at]);
    let (field, message) = split_yaml_error(m);
    Some(InputError::at(origin, classify(&message), field, message))
}

/// The error of decoding `T` from a document's parsed value, where YAML's types hold (`5`
/// is an integer, `true` a boolean, as JSON has them), with its field path; `None` when it
/// decodes.
fn json_types<T: Decode>(origin: &Origin, value: &serde_yaml::Value) -> Option<InputError> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(value, &mut track);
    let e = erased::<T, _>(de).err()?;
    let path = track.path().to_string();
    let field = if path == "." { String::new() } else { path };
    let mut message = e.to_string();
    if message.contains("expected a string") {
        message.push_str(" (the API server reads the value as JSON and refuses it too: quote it)");
    }
    Some(InputError::at(origin, classify(&message), field, message))
}

/// Decodes a nested value (for example a descheduler plugin's `args`) into `T`, with errors
/// located at `prefix` (the field path of the value inside its document).
pub fn decode_value<T: Decode>(origin: &Origin, prefix: &str, value: serde_yaml::Value) -> Result<T, Vec<InputError>> {
    let mut unknown: Vec<String> = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(value, &mut track);
    let join = |p: String| {
        if p.is_empty() || p == "." {
            prefix.to_string()
        } else if p.starts_with('[') {
            format!("{prefix}{p}")
        } else {
            format!("{prefix}.{p}")
        }
    };
    let mut note: Note = &mut |p| unknown.push(format_path(&p));
    let r: Result<T, _> = erased(serde_ignored::Deserializer::new(de, &mut note));
    match r {
        Err(e) => {
            let message = e.to_string();
            Err(vec![InputError::at(origin, classify(&message), join(track.path().to_string()), message)])
        }
        Ok(_) if !unknown.is_empty() => Err(unknown
            .into_iter()
            .map(|f| InputError::at(origin, InputClass::UnknownField, join(f), "unknown field (is it misspelt?)"))
            .collect()),
        Ok(v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_path_from_serde_yaml_messages() {
        let (f, m) =
            split_yaml_error("spec.replicas: invalid type: string \"three\", expected i32 at line 5 column 13");
        assert_eq!(f, "spec.replicas");
        assert!(m.starts_with("invalid type"));
        let (f, _) = split_yaml_error("missing field `spec` at line 1 column 1");
        assert_eq!(f, "");
    }
}
