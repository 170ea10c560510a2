//! The scenes of lesson 6.

use super::super::scene::Play;

/// Lesson 6's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
