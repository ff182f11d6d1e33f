//! Closed sets of values with an English wire name and a Chinese label.

/// Defines a closed set of values with a stable English wire name and a Chinese label, parsed
/// from user input with an error that says what is allowed.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $wire:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(input: &str) -> Result<Self, String> {
                match input.trim() {
                    $($wire => Ok($name::$variant),)+
                    "" => Err(format!("请选择{}", $what)),
                    _ => Err(format!(
                        "{}只能是：{}",
                        $what,
                        [$(concat!($wire, "（", $label, "）")),+].join("、")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
