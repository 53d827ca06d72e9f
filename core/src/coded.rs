//! One declaration for the enums the API spells as codes: each value's code as the API
//! writes it and, where people see it, its words; every value, in the API's order; and the
//! value a code names. The enum itself (its docs, its serde spelling) stays where it is.

/// `coded!(Enum { Variant => "CODE", "words"; ... })` gives `Enum::ALL`, `code`, `label` and
/// `from_code`; without the words, all but `label`.
macro_rules! coded {
    ($name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $crate::coded::coded!($name { $($variant => $code;)+ });

        impl $name {
            /// In words, for people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
    ($name:ident { $($variant:ident => $code:literal;)+ }) => {
        impl $name {
            /// Every value, in the order the API lists them.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// As the API spells it.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value the API spelling `code` names, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|value| value.code() == code)
            }
        }
    };
}

pub(crate) use coded;
