//! Health conditions a client declares, under which massage should wait for a doctor or be gentle.

use crate::choice;

choice!(
    /// Health conditions that call for a doctor's clearance before deep tissue work.
    Caution {
        Dvt => ("dvt", "Deep vein thrombosis (blood clots)"),
        RecentSurgery => ("recent_surgery", "Recent surgery"),
        Osteoporosis => ("osteoporosis", "Osteoporosis"),
        VascularDisorder => ("vascular_disorder", "A vascular disorder"),
        NeurologicalDisorder => ("neurological_disorder", "A neurological disorder"),
    }
);
