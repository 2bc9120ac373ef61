//! Time-based rotation: where the time is read ([`clock`]) and the periods
//! a log rotates at, their boundaries and their names ([`period`]).

pub(crate) mod clock;
pub(crate) mod period;
