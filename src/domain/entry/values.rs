//! The closed sets of values an entry's fields take: kinds, body sites, triggers, warning signs
//! and the rest, each with its wire value and the label people read.

use crate::choice;

choice!(
    /// What was logged.
    EntryKind {
        Episode => ("episode", "Spasm episode"),
        Hydration => ("hydration", "Water"),
        HeatIce => ("heat_ice", "Heat or ice"),
        Stretch => ("stretch", "Stretching"),
        Massage => ("massage", "Massage session"),
        Condition => ("condition", "Illness or injury"),
        Event => ("event", "Upcoming event"),
    }
);

choice!(
    /// Where on the body.
    BodySite {
        Neck => ("neck", "Neck"),
        ShoulderLeft => ("shoulder_left", "Left shoulder"),
        ShoulderRight => ("shoulder_right", "Right shoulder"),
        UpperBack => ("upper_back", "Upper back"),
        LowerBack => ("lower_back", "Lower back"),
        Chest => ("chest", "Chest"),
        Abdomen => ("abdomen", "Abdomen"),
        ArmLeft => ("arm_left", "Left arm"),
        ArmRight => ("arm_right", "Right arm"),
        HandLeft => ("hand_left", "Left hand"),
        HandRight => ("hand_right", "Right hand"),
        HipLeft => ("hip_left", "Left hip"),
        HipRight => ("hip_right", "Right hip"),
        GluteLeft => ("glute_left", "Left glute"),
        GluteRight => ("glute_right", "Right glute"),
        QuadricepsLeft => ("quadriceps_left", "Left thigh (front)"),
        QuadricepsRight => ("quadriceps_right", "Right thigh (front)"),
        HamstringLeft => ("hamstring_left", "Left thigh (back)"),
        HamstringRight => ("hamstring_right", "Right thigh (back)"),
        CalfLeft => ("calf_left", "Left calf"),
        CalfRight => ("calf_right", "Right calf"),
        FootLeft => ("foot_left", "Left foot"),
        FootRight => ("foot_right", "Right foot"),
        Other => ("other", "Somewhere else"),
    }
);

choice!(
    /// How the spasm behaved.
    Pattern {
        Clonic => ("clonic", "Twitching (on and off)"),
        Tonic => ("tonic", "Locked (sustained)"),
        Cramp => ("cramp", "Cramp"),
        Unknown => ("unknown", "Not sure"),
    }
);

choice!(
    /// What may have set it off.
    Trigger {
        Exercise => ("exercise", "Exercise"),
        Dehydration => ("dehydration", "Not enough to drink"),
        Heat => ("heat", "Hot weather"),
        Cold => ("cold", "Cold"),
        ProlongedPosition => ("prolonged_position", "Sitting or standing a long time"),
        AfterMassage => ("after_massage", "After a massage"),
        Fatigue => ("fatigue", "Tiredness"),
        LongBreak => ("long_break", "Long break from activity"),
        Stress => ("stress", "Stress"),
        Unknown => ("unknown", "Not sure"),
    }
);

choice!(
    /// Symptoms that call for a doctor rather than self-care.
    RedFlag {
        ChestPain => ("chest_pain", "Chest pain"),
        Numbness => ("numbness", "Numbness or tingling"),
        Weakness => ("weakness", "Weakness"),
        SwellingRedness => ("swelling_redness", "Swelling or redness"),
        AfterFluidLoss => ("after_fluid_loss", "After sweating, vomiting or diarrhoea"),
        MuscleWasting => ("muscle_wasting", "Muscle getting smaller"),
        NotRelieved => ("not_relieved", "Nothing relieved it"),
    }
);

choice!(
    /// What helped.
    Relief {
        Stretch => ("stretch", "Stretching"),
        Heat => ("heat", "Heat"),
        Ice => ("ice", "Ice"),
        Massage => ("massage", "Massage"),
        Hydration => ("hydration", "Drinking"),
        Rest => ("rest", "Rest"),
        Medication => ("medication", "Medication"),
    }
);

choice!(
    /// Heat or ice.
    HeatIceMode {
        Heat => ("heat", "Heat"),
        Ice => ("ice", "Ice"),
    }
);

choice!(
    /// Massage technique.
    Technique {
        Swedish => ("swedish", "Swedish"),
        DeepTissue => ("deep_tissue", "Deep tissue"),
        Myofascial => ("myofascial", "Myofascial release"),
        TriggerPoint => ("trigger_point", "Trigger point"),
        Other => ("other", "Other"),
    }
);

choice!(
    /// Massage pressure.
    Pressure {
        Light => ("light", "Light"),
        Medium => ("medium", "Medium"),
        Firm => ("firm", "Firm"),
    }
);

choice!(
    /// What kind of illness or injury.
    ConditionStatus {
        Unwell => ("unwell", "Unwell (cold, flu, fever)"),
        Injury => ("injury", "Injury"),
        Wound => ("wound", "Wound"),
        Infection => ("infection", "Infection"),
        Inflammation => ("inflammation", "Inflammation"),
    }
);
