//! Closed sets of codes stored as text: written as their code, and read
//! back only when the code is known, so that a stray value fails loudly
//! instead of being taken for something else. The types live in `domain/`
//! and `auth/`; what the database needs of them lives here.

use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::access::{Role, SubjectKind};
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::lifecycle::Status;
use crate::domain::version::{Confirming, VersionKind, VersionState};

macro_rules! stored_as_code {
    ($($ty:ty),+ $(,)?) => {$(
        impl AsExpression<Text> for $ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.code())
            }
        }

        impl AsExpression<Text> for &$ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.code())
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.code(), out)
            }
        }

        impl Queryable<Text, Pg> for $ty {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let code = <String as FromSql<Text, Pg>>::from_sql(value)?;
                <$ty>::parse(&code).ok_or_else(|| {
                    format!("{code:?} is not a {}", stringify!($ty)).into()
                })
            }
        }
    )+};
}

stored_as_code!(
    Status,
    VersionKind,
    VersionState,
    Confirming,
    SubjectKind,
    Role,
    IdentifierScheme,
);
