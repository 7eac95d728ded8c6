use crate::error::Result;
use zeroize::Zeroizing;
pub struct Entry { pub key: String, pub value: Zeroizing<String>, pub line: usize }
pub fn parse(_input: &str, _lookup: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Entry>> { Ok(vec![]) }
pub fn emit<'a>(_entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Zeroizing<String>> { Ok(Zeroizing::new(String::new())) }
