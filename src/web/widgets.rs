//! Form widgets described as data, rendered by one template (`templates/widget.html`), so every
//! field gets its label, hint, error message and kept value the same way.

use crate::domain::fields::{Choice, FieldErrors};
use crate::web::form::FormFields;

/// One option of a select, radio group or checkbox group.
#[derive(Clone, Debug)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One form control with everything needed to render it accessibly.
#[derive(Clone, Debug)]
pub struct Widget {
    pub name: String,
    pub label: String,
    pub hint: String,
    /// `select`, `radios`, `checks`, `number`, `text`, `textarea`, `datetime`, `toggle`, `password`, `email`.
    pub control: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<Opt>,
    pub min: String,
    pub max: String,
    pub error: Option<String>,
    /// Radios laid out in one row of equal buttons (e.g. 0 to 10).
    pub row: bool,
    pub autocomplete: &'static str,
}

/// Rewords an error for people: choice fields list their choices on screen already.
fn humanize(control: &str, error: &str) -> String {
    let is_choice = matches!(control, "select" | "radios" | "checks");
    if is_choice && error.starts_with("is required") {
        "is required: choose one".into()
    } else if is_choice && error.contains("one of") {
        "must be one of the choices shown".into()
    } else {
        error.to_string()
    }
}

/// One line of the error summary at the top of a form, linking to its field.
#[derive(Clone, Debug)]
pub struct SummaryItem {
    pub id: String,
    pub text: String,
}

/// The error summary of a form: each widget's error under its label, then any other error.
pub fn summary(widgets: &[Widget], errors: &FieldErrors) -> Vec<SummaryItem> {
    let mut out: Vec<SummaryItem> = widgets
        .iter()
        .filter_map(|w| {
            w.error.as_ref().map(|e| SummaryItem {
                id: w.id(),
                text: format!("{} {}", w.label, e),
            })
        })
        .collect();
    for (name, why) in &errors.0 {
        if !widgets.iter().any(|w| &w.name == name) {
            out.push(SummaryItem {
                id: "main".into(),
                text: format!("{} {}", name.replace('_', " "), why),
            });
        }
    }
    out
}

/// Builds widgets from submitted values and errors.
pub struct WidgetBuilder<'a> {
    pub values: &'a FormFields,
    pub errors: &'a FieldErrors,
}

impl<'a> WidgetBuilder<'a> {
    /// A builder over kept values and errors.
    pub fn new(values: &'a FormFields, errors: &'a FieldErrors) -> Self {
        Self { values, errors }
    }

    fn base(&self, name: &str, label: &str, control: &'static str) -> Widget {
        Widget {
            name: name.to_string(),
            label: label.to_string(),
            hint: String::new(),
            control,
            required: false,
            value: self.values.get(name).unwrap_or_default().to_string(),
            options: Vec::new(),
            min: String::new(),
            max: String::new(),
            error: self.errors.get(name).map(|e| humanize(control, e)),
            row: false,
            autocomplete: "off",
        }
    }

    /// A one-line text box.
    pub fn text(&self, name: &str, label: &str) -> Widget {
        self.base(name, label, "text")
    }

    /// A multi-line text box.
    pub fn textarea(&self, name: &str, label: &str) -> Widget {
        self.base(name, label, "textarea")
    }

    /// A whole number box.
    pub fn number(&self, name: &str, label: &str, min: i64, max: i64) -> Widget {
        let mut w = self.base(name, label, "number");
        w.min = min.to_string();
        w.max = max.to_string();
        w
    }

    /// A date and time picker.
    pub fn datetime(&self, name: &str, label: &str) -> Widget {
        self.base(name, label, "datetime")
    }

    /// A single yes/no checkbox.
    pub fn toggle(&self, name: &str, label: &str) -> Widget {
        let mut w = self.base(name, label, "toggle");
        w.value = if self
            .values
            .get(name)
            .is_some_and(|v| !v.is_empty() && v != "off")
        {
            "on".into()
        } else {
            String::new()
        };
        w
    }

    fn options_of<C: Choice>(&self, name: &str) -> Vec<Opt> {
        let chosen = self.values.all(name);
        C::ALL
            .iter()
            .map(|c| Opt {
                value: c.as_str().to_string(),
                label: c.label().to_string(),
                checked: chosen.contains(&c.as_str()),
            })
            .collect()
    }

    /// A drop-down of a closed set.
    pub fn select<C: Choice>(&self, name: &str, label: &str) -> Widget {
        let mut w = self.base(name, label, "select");
        w.options = self.options_of::<C>(name);
        w
    }

    /// Radio buttons of a closed set.
    pub fn radios<C: Choice>(&self, name: &str, label: &str) -> Widget {
        let mut w = self.base(name, label, "radios");
        w.options = self.options_of::<C>(name);
        w
    }

    /// Checkboxes of a closed set (several may be chosen).
    pub fn checks<C: Choice>(&self, name: &str, label: &str) -> Widget {
        let mut w = self.base(name, label, "checks");
        w.options = self.options_of::<C>(name);
        w
    }

    /// Radio buttons with explicit values and labels.
    pub fn radios_of(&self, name: &str, label: &str, items: &[(String, String)]) -> Widget {
        let mut w = self.base(name, label, "radios");
        let chosen = self.values.get(name).unwrap_or_default();
        w.options = items
            .iter()
            .map(|(v, l)| Opt {
                value: v.clone(),
                label: l.clone(),
                checked: v == chosen,
            })
            .collect();
        w
    }

    /// A drop-down with explicit values and labels.
    pub fn select_of(&self, name: &str, label: &str, items: &[(String, String)]) -> Widget {
        let mut w = self.radios_of(name, label, items);
        w.control = "select";
        w
    }
}

impl Widget {
    /// Marks the field required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Adds a hint shown under the label.
    pub fn hint(mut self, h: &str) -> Self {
        self.hint = h.to_string();
        self
    }
    /// Lays radios out in one row.
    pub fn row(mut self) -> Self {
        self.row = true;
        self
    }
    /// Sets the control type (e.g. `password`, `email`).
    pub fn control(mut self, c: &'static str) -> Self {
        self.control = c;
        self
    }
    /// Sets the `autocomplete` attribute.
    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    /// The id of the control element.
    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }
    /// The ids that describe the control (hint and error).
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        ids.join(" ")
    }
    /// Whether the field has an error (for `aria-invalid`).
    pub fn invalid(&self) -> &'static str {
        if self.error.is_some() {
            "true"
        } else {
            "false"
        }
    }
    /// The error message, or nothing.
    pub fn error_text(&self) -> &str {
        self.error.as_deref().unwrap_or_default()
    }
}
