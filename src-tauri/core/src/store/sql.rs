//! The query layer every table family is written on, whatever the engine.
//!
//! A family's SQL is written once, in its own file beside its trait and rows, as
//! `impl<C: Sql> FamilyRows for C`: its statements number their parameters `$1, $2, ...`, which
//! both engines read (a number used twice is one value), and bind them as [`Arg`]s; a batched
//! statement, whose text grows with its rows, is built as a [`Statement`] in the engine's own
//! placeholders. An engine implements [`Sql`] on its connection type: binding the values,
//! running the statement, mapping its errors, and the few points where the two dialects differ
//! (the constants, the placeholder and the identity counters below). Nothing here is generic
//! over sqlx's `Database`: the two engines are two impls, and a family only names the trait.

use async_trait::async_trait;

use crate::error::Result;

/// One value bound to a statement: the types the vault stores (`None` is NULL).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
    Bytes(Option<&'a [u8]>),
    Bool(Option<bool>),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(Some(v))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref())
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(Some(v))
    }
}

impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Arg::Bytes(Some(v))
    }
}

impl<'a> From<Option<&'a [u8]>> for Arg<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        Arg::Bytes(v)
    }
}

impl<'a> From<&'a Option<Vec<u8>>> for Arg<'a> {
    fn from(v: &'a Option<Vec<u8>>) -> Self {
        Arg::Bytes(v.as_deref())
    }
}

/// The values of a statement, in parameter order: `args![scope_id, epoch]` is an array of
/// [`Arg`]s (`&args![...]` the slice the [`Sql`] methods take).
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        [$($crate::store::sql::Arg::from($value)),*]
    };
}
pub(crate) use args;

/// A row type both engines decode: a tuple of column types (a single column is a 1-tuple), or a
/// struct deriving `sqlx::FromRow`.
pub(crate) trait Record:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// A connection that runs the families' SQL: one impl per engine (`sqlite.rs`, `postgres.rs`).
/// `context` says what the statement is for; an error carries it ("reading the seal of a
/// scope"), mapped by the engine to what a user can act on.
#[async_trait]
pub(crate) trait Sql: Send {
    /// The most values one statement may bind.
    const MAX_PARAMS: usize;
    /// The operator matching a `LIKE` pattern with ASCII letters in either case (SQLite's `LIKE`).
    const CASELESS_LIKE: &'static str;
    /// What an `INSERT` says, after its column list, to write ids into identity columns as given.
    const EXPLICIT_IDS: &'static str;

    /// Writes the placeholder of the `n`th value (from 1) of a statement built with
    /// [`Statement`], whose values are bound in the order their placeholders appear.
    fn placeholder(sql: &mut String, n: usize);

    /// Runs a statement; how many rows it changed.
    async fn execute(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<u64>;
    /// Every row the query returns.
    async fn all<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>>;
    /// The first row, if any.
    async fn optional<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>>;
    /// The first row; none is an error.
    async fn one<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<T>;

    /// The highest id the identity counter of `table`'s `id` column handed out (0 if none ever was).
    async fn id_high_water(&mut self, table: &str) -> Result<i64>;
    /// Moves the identity counter of `table`'s `id` column so the next id handed out is past
    /// `at` (positive).
    async fn set_id_high_water(&mut self, table: &str, at: i64) -> Result<()>;

    /// The first column of every row.
    async fn column<T>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>>
    where
        (T,): Record,
    {
        let rows: Vec<(T,)> = self.all(context, sql, args).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// The first column of the first row, if any.
    async fn optional_value<T>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>>
    where
        (T,): Record,
    {
        let row: Option<(T,)> = self.optional(context, sql, args).await?;
        Ok(row.map(|(value,)| value))
    }

    /// The first column of the first row; no row is an error.
    async fn value<T>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<T>
    where
        (T,): Record,
    {
        let (value,): (T,) = self.one(context, sql, args).await?;
        Ok(value)
    }
}

/// A statement whose text grows with its values: multi-row `VALUES` lists and `IN (...)` lists,
/// cut into batches by the caller. Its placeholders are the engine's (see [`Sql::placeholder`]),
/// so text and values stay in step.
pub(crate) struct Statement<'a> {
    sql: String,
    args: Vec<Arg<'a>>,
    placeholder: fn(&mut String, usize),
}

impl<'a> Statement<'a> {
    /// A statement for engine `C` starting with `sql`, with room for `values` values.
    pub(crate) fn new<C: Sql>(sql: &str, values: usize) -> Self {
        // At most eight bytes of text per value ("$12345, ") and what follows the list.
        let mut text = String::with_capacity(sql.len() + 8 * values + 128);
        text.push_str(sql);
        Statement {
            sql: text,
            args: Vec::with_capacity(values),
            placeholder: C::placeholder,
        }
    }

    /// Appends text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the placeholder of one value.
    pub(crate) fn bind(&mut self, value: impl Into<Arg<'a>>) -> &mut Self {
        self.args.push(value.into());
        (self.placeholder)(&mut self.sql, self.args.len());
        self
    }

    /// Appends `p, p, ...`: one placeholder per value.
    pub(crate) fn list(&mut self, values: impl IntoIterator<Item = Arg<'a>>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(value);
        }
        self
    }

    /// Appends `VALUES (p, p), (p, p), ...`: one parenthesised tuple of `row`'s values per row.
    pub(crate) fn values<R, const N: usize>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
        row: impl Fn(R) -> [Arg<'a>; N],
    ) -> &mut Self {
        self.sql.push_str("VALUES ");
        for (i, r) in rows.into_iter().enumerate() {
            self.sql.push_str(if i > 0 { ", (" } else { "(" });
            self.list(row(r));
            self.sql.push(')');
        }
        self
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn args(&self) -> &[Arg<'a>] {
        &self.args
    }
}

/// Placeholders `$1, $2, ...` (PostgreSQL; SQLite reads them too).
pub(crate) fn numbered(sql: &mut String, n: usize) {
    use std::fmt::Write;
    let _ = write!(sql, "${n}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered_statement<'a>(head: &str) -> Statement<'a> {
        Statement {
            sql: head.to_owned(),
            args: Vec::new(),
            placeholder: numbered,
        }
    }

    #[test]
    fn a_statement_numbers_its_values_in_the_order_they_are_written() {
        let ids = ["a", "b"];
        let mut s = numbered_statement("UPDATE t SET x = ");
        s.bind(7_i64)
            .push(" WHERE id IN (")
            .list(ids.iter().map(|id| Arg::from(*id)))
            .push(")");
        assert_eq!(s.sql(), "UPDATE t SET x = $1 WHERE id IN ($2, $3)");
        assert_eq!(s.args().len(), 3);

        let rows = [("a", 1), ("b", 2)];
        let mut s = numbered_statement("INSERT INTO t (id, n) ");
        s.values(rows.iter(), |(id, n)| args![*id, *n]);
        assert_eq!(s.sql(), "INSERT INTO t (id, n) VALUES ($1, $2), ($3, $4)");
        assert!(matches!(s.args()[3], Arg::Int(Some(2))));
    }
}
