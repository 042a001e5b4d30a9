//! The domain's closed vocabularies as GraphQL enums, generated from the domain's own
//! definitions (`banso_events::with_vocabularies!`): the same variants, the English id as the
//! enum value's spelling (`NOT_FOLLOWING`), and the Japanese label as its description.
//! `From` converts both ways, so resolvers never match variants by hand.

use banso_events::domain::vocab as domain;

macro_rules! graphql_vocabulary {
    ($(
        $(#[$meta:meta])*
        pub enum $name:ident { $($variant:ident = ($id:literal, $label:literal),)* }
    )*) => {$(
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $label] $variant,)*
        }

        impl From<$name> for domain::$name {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => domain::$name::$variant,)* }
            }
        }

        impl From<domain::$name> for $name {
            fn from(value: domain::$name) -> Self {
                match value { $(domain::$name::$variant => $name::$variant,)* }
            }
        }
    )*};
}

banso_events::with_vocabularies!(graphql_vocabulary);
