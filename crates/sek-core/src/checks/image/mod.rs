//! The provenance of the images the workloads run, from ECR: how old they are (`image-age`)
//! and whether they are signed (`image-signed`).

pub mod age;
pub mod signed;
