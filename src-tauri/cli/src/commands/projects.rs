//! project add/ls, env add.

use keyshelf_core::vault::ScopePath;
use keyshelf_core::Result;

use crate::context::Context;
use crate::output;

pub async fn add(ctx: &Context, name: &str, envs: &[String]) -> Result<i32> {
    let session = ctx.session().await?;
    session.add_project(name, envs).await?;
    if envs.is_empty() {
        eprintln!("Added project {name}. Add environments with `keyshelf env add {name} ENV`.");
    } else {
        eprintln!("Added project {name} with {}.", envs.join(", "));
    }
    Ok(0)
}

pub async fn add_env(ctx: &Context, project: &str, env: &str) -> Result<i32> {
    let scope = ScopePath::new(project, env)?;
    let session = ctx.session().await?;
    session.add_environment(&scope).await?;
    eprintln!("Added environment {scope}.");
    Ok(0)
}

pub async fn list(ctx: &Context, json: bool) -> Result<i32> {
    let vault = ctx.open().await?;
    let projects = vault.projects().await?;
    if json {
        output::json(&projects)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = projects
        .iter()
        .flat_map(|p| {
            let envs: Vec<Vec<String>> = p
                .environments
                .iter()
                .map(|e| vec![p.name.clone(), e.name.clone(), e.secrets.to_string()])
                .collect();
            if envs.is_empty() {
                vec![vec![p.name.clone(), "-".into(), "0".into()]]
            } else {
                envs
            }
        })
        .collect();
    output::table(&["PROJECT", "ENV", "SECRETS"], &rows)?;
    Ok(0)
}
