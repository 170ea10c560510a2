//! The scenes of lesson 3.

use super::super::scene::Play;

/// Lesson 3's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
