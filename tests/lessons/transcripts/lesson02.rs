//! The scenes of lesson 2.

use super::super::scene::Play;

/// Lesson 2's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
