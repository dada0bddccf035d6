//! Text comparisons whose outcome does not depend on the server's locale.

use diesel::expression::AsExpression;
use diesel::sql_types::Text;

use crate::domain::folding::case_blind_pattern;

diesel::infix_operator!(RegexMatch, " ~ ", backend: diesel::pg::Pg);

/// `column` contains `words` in any mix of upper and lower case, `Æ`, `Ø`
/// and `Å` (and every other cased letter) included, in every server
/// locale: `~` compares code points, and the pattern spells out each
/// letter's cases itself ([`case_blind_pattern`]).
pub fn contains_case_blind<C>(
    column: C,
    words: &str,
) -> RegexMatch<C, <String as AsExpression<Text>>::Expression>
where
    C: diesel::Expression,
{
    RegexMatch::new(
        column,
        <String as AsExpression<Text>>::as_expression(case_blind_pattern(words)),
    )
}
