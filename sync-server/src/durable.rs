//! Making files survive a power cut the way committed rows do: a file's bytes are durable
//! once the file is fsynced, and its name (a creation or a rename) once its directory is.

use std::path::Path;

/// Fsyncs a directory, so that the names created or renamed in it survive a power cut.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Creates `dir` and its missing parents, and fsyncs each new directory's parent so that
/// the new names are durable.
pub fn create_dir_all(dir: &Path) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.is_dir()).collect();
    std::fs::create_dir_all(dir)?;
    for created in missing.iter().rev() {
        if let Some(parent) = created.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn nested_directories_are_created() {
        let tmp = tempfile::tempdir().expect("dir");
        let deep = tmp.path().join("a/b/c");
        super::create_dir_all(&deep).expect("created");
        assert!(deep.is_dir());
        super::create_dir_all(&deep).expect("again: nothing to do");
    }
}
