//! Decodes the Kubernetes object types kbmc reads (k8s-openapi's Deployment, Pod, Node and the
//! rest) from a type-erased deserializer, and nothing else: it knows no YAML, no error
//! locations and no kbmc type.
//!
//! Why a crate of its own: the `Deserialize` code of these types (a Pod's spec alone reaches
//! some hundreds of types, each with a visitor whose every method the erased vtable needs) was
//! about a third of the code kbmc's library compiles, and `cargo test` compiles the library
//! twice (once for its unit tests). Here it is compiled once, as a dependency. Each `decode`
//! is `#[inline(never)]` so that a caller calls it instead of instantiating it again.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;

/// A type decoded from a type-erased deserializer. kbmc's own manifest types implement it
/// with [`decode_with_serde!`], these by calling the code compiled here.
pub trait Decode: Sized {
    fn decode(de: &mut dyn erased_serde::Deserializer<'_>) -> Result<Self, erased_serde::Error>;
}

/// Implements [`Decode`] for types whose `Deserialize` is owned (`DeserializeOwned`), by
/// `erased_serde::deserialize` in the crate that invokes it.
#[macro_export]
macro_rules! decode_with_serde {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::Decode for $t {
            #[inline(never)]
            fn decode(de: &mut dyn $crate::erased_serde::Deserializer<'_>) -> Result<Self, $crate::erased_serde::Error> {
                $crate::erased_serde::deserialize(de)
            }
        })*
    };
}

pub use erased_serde;

decode_with_serde!(
    DaemonSet,
    Deployment,
    ReplicaSet,
    StatefulSet,
    HorizontalPodAutoscaler,
    Namespace,
    Node,
    Pod,
    PodDisruptionBudget,
    PriorityClass,
    StorageClass,
);
