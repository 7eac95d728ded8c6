//! One module per feature. Each command: take state, call the core, map the error.

pub mod access;
pub mod machines;
pub mod projects;
pub mod rotation;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod vault;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The part of `text` from `start` to the first `end` after it.
    fn region<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not found"));
        let to = text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{end:?} not found after {start:?}"));
        &text[from..from + to]
    }

    /// Each name that follows `open` and runs up to `close`, written with `-` or `_`.
    fn names(text: &str, open: &str, close: char) -> BTreeSet<String> {
        text.split(open)
            .skip(1)
            .filter_map(|rest| rest.split(close).next())
            .map(|name| name.trim().replace('-', "_"))
            .collect()
    }

    /// A command registered but not allowed, allowed but not registered, or called by the UI
    /// but missing from either, fails only at run time in the app: this catches it at `cargo test`.
    #[test]
    fn the_manifest_the_handler_the_capability_and_the_ui_list_the_same_commands() {
        let manifest = names(
            region(include_str!("../../build.rs"), "const COMMANDS", "];"),
            "\"",
            '"',
        )
        .into_iter()
        .filter(|name| !name.contains(['\n', ',']))
        .collect::<BTreeSet<_>>();
        let handler: BTreeSet<String> = region(include_str!("../main.rs"), "generate_handler![", "]")
            .split(',')
            .filter_map(|path| path.trim().rsplit("::").next())
            .filter(|name| !name.is_empty() && !name.contains('['))
            .map(str::to_owned)
            .collect();
        let allowed = names(
            region(include_str!("../../capabilities/main.json"), "\"permissions\"", "]"),
            "\"allow-",
            '"',
        );
        let called: BTreeSet<String> = include_str!("../../../ui/src/api/index.ts")
            .split("call")
            .skip(1)
            .filter_map(|rest| {
                let rest = rest
                    .strip_prefix('<')
                    .map_or(Some(rest), |typed| typed.split_once(">(").map(|(_, r)| r))?;
                let rest = rest.strip_prefix("(\"").or_else(|| rest.strip_prefix('"'))?;
                rest.split('"').next().map(str::to_owned)
            })
            .collect();
        assert!(manifest.len() > 40, "{manifest:?}");
        assert_eq!(manifest, handler, "build.rs vs generate_handler!");
        assert_eq!(manifest, allowed, "build.rs vs capabilities/main.json");
        assert_eq!(manifest, called, "build.rs vs ui/src/api");
    }
}
