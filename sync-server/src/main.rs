//! `sync-server`: serves the API, or runs an operator task (`--help`).

use clap::Parser;
use shared::protocol::Role;
use sync_server::db::NewUser;
use sync_server::{Application, Command, Config};

/// mimalloc: a push allocates and frees many small values on three threads; measured 10 %
/// more surveys per second than the system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    tracing_subscriber::fmt().with_env_filter(config.log_filter()).init();
    let result = match config.command.clone() {
        None => serve(&config).await,
        Some(Command::RecomputeScores { inputs }) => recompute(&inputs),
        Some(Command::Migrate) => migrate(&config).await,
        Some(Command::Backup { to }) => backup(&config, &to),
        Some(Command::CopyToPostgres { to }) => copy_to_postgres(&config, &to).await,
        Some(command) => run_command(&config, command).await,
    };
    if let Err(e) = result {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let database = if config.database_url.is_some() { "PostgreSQL".to_string() } else { config.database_path().display().to_string() };
    tracing::info!(%database, "Ventanilla sync-server escuchando en http://{}", app.address());
    if config.demo {
        println!("{}", sync_server::demo::login_help(app.address()));
    }
    app.run_until_stopped().await
}

/// Prints the score table recomputed from an audit export (or the published inputs of
/// official results), then, on stderr, the SHA-256 of the file read and of the table's
/// canonical JSON: the digests official results carry.
fn recompute(path: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("no se pudo leer {}: {e}", path.display()))?;
    let inputs: shared::protocol::ScoringInputs =
        serde_json::from_slice(&bytes).map_err(|e| anyhow::anyhow!("{} no es una exportación de insumos válida: {e}", path.display()))?;
    let table = inputs.recompute().map_err(|e| anyhow::anyhow!("{e}"))?;
    let dto = shared::protocol::ScoreTableDto::from(&table);
    println!("{}", serde_json::to_string_pretty(&dto)?);
    let (_, table_sha256) = shared::protocol::canonical(&dto)?;
    eprintln!("sha256 de los insumos (el archivo): {}", shared::digest::sha256_hex(&bytes));
    eprintln!("sha256 de la tabla (JSON canónico): {table_sha256}");
    Ok(())
}

/// Applies the migrations the database lacks (no server starts).
async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (place, done) = match &config.database_url {
        Some(url) => {
            let done = sync_server::db::maintenance::migrate_postgres(url).await.map_err(|e| anyhow::anyhow!("no se pudieron aplicar las migraciones a PostgreSQL: {e}"))?;
            ("PostgreSQL".to_string(), done)
        }
        None => {
            let path = config.database_path();
            let done = sync_server::db::maintenance::migrate_file(&path).map_err(|e| anyhow::anyhow!("no se pudieron aplicar las migraciones a {}: {e}", path.display()))?;
            (path.display().to_string(), done)
        }
    };
    if done.from == done.to {
        println!("{place}: el esquema ya está en la versión {}; nada que aplicar.", done.to);
    } else {
        println!("{place}: esquema de la versión {} a la {}; migraciones aplicadas.", done.from, done.to);
    }
    Ok(())
}

/// Copies the live database to `to`, checked, and says what the copy holds.
fn backup(config: &Config, to: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.database_url.is_none(),
        "con PostgreSQL, la copia la hace PostgreSQL: pg_dump --format=custom --file=COPIA \"$VENTANILLA_DATABASE_URL\" (y pg_restore para volver a ella); es consistente y no detiene a los servidores"
    );
    let made = sync_server::db::maintenance::backup(&config.database_path(), to)?;
    println!("Copia en {} ({} bytes), esquema versión {}, cambios hasta el {}.", made.path.display(), made.bytes, made.schema_version, made.last_change);
    for (table, rows) in &made.rows {
        println!("  {table}: {rows}");
    }
    println!("Revisada: integridad y referencias correctas.");
    Ok(())
}

/// Copies the SQLite database of the data directory into an empty PostgreSQL database.
async fn copy_to_postgres(config: &Config, to: &str) -> anyhow::Result<()> {
    anyhow::ensure!(config.database_url.is_none(), "copy-to-postgres lee la base SQLite del directorio de datos: quite --database (el destino va en --to)");
    let source = config.database_path();
    let copied = sync_server::db::copy::copy_to_postgres(&source, to).await.map_err(|e| anyhow::anyhow!("no se copió nada: {e}"))?;
    println!("Copiada {} a PostgreSQL, cambios hasta el {}:", source.display(), copied.last_change);
    for t in &copied.tables {
        println!("  {}: {} filas, sha256 {}", t.table, t.rows, t.sha256);
    }
    println!("Revisada: cada tabla tiene las mismas filas y el mismo resumen en ambas bases.");
    println!("Los archivos (fotos, evidencias) quedan en {}: arranque los servidores con --database y este mismo --data-dir.", config.data_dir.display());
    Ok(())
}

/// The password from VENTANILLA_PASSWORD, or typed on the terminal.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("VENTANILLA_PASSWORD") {
        return Ok(p);
    }
    eprint!("Contraseña: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn checked_password() -> anyhow::Result<String> {
    let password = read_password()?;
    anyhow::ensure!(password.chars().count() >= 8, "la contraseña debe tener al menos 8 caracteres");
    Ok(password)
}

async fn run_command(config: &Config, command: Command) -> anyhow::Result<()> {
    let state = sync_server::open_state(config).await?;
    match command {
        Command::CreateUser { username, role, name, supervisor, institution } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("rol desconocido «{role}»: use admin, staff, supervisor, inspector, surveyor o enlace"))?;
            let password = checked_password()?;
            let password_hash = tokio::task::spawn_blocking(move || sync_server::auth::hash_password(&password)).await??;
            let display_name = name.unwrap_or_else(|| username.clone());
            state.db.create_user(NewUser { username: username.clone(), display_name, role, password_hash, supervisor, institution }).await?;
            println!("Usuario «{username}» creado ({}).", role.code());
        }
        Command::ResetPassword { username } => {
            let password = checked_password()?;
            let hash = tokio::task::spawn_blocking(move || sync_server::auth::hash_password(&password)).await??;
            state.db.set_password(username.clone(), hash).await?;
            println!("Contraseña de «{username}» actualizada.");
        }
        Command::RevokeDevice { device_id } => {
            state.db.revoke_device(device_id).await?;
            println!("Dispositivo {device_id} dado de baja.");
        }
        Command::RecomputeScores { inputs } => recompute(&inputs)?,
        Command::Migrate => migrate(config).await?,
        Command::Backup { to } => backup(config, &to)?,
        Command::CopyToPostgres { to } => copy_to_postgres(config, &to).await?,
        Command::ImportCentros { file } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("no se pudo leer {}: {e}", file.display()))?;
            let centros = sync_server::centros_import::parse(&bytes).map_err(|refused| anyhow::anyhow!("no se importó ningún centro:\n{refused}"))?;
            let count = centros.len();
            state.db.upsert_centros(centros).await?;
            println!("{count} centros importados.");
        }
        Command::PublishForm { file, files } => {
            let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| anyhow::anyhow!("no se pudo leer {}: {e}", p.display()));
            let bytes = read(&file)?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            let mut attachments = Vec::new();
            for p in &files {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                attachments.push(shared::form::Attachment { name, bytes: read(p)? });
            }
            let outcome = sync_server::publish::publish_xlsx(&state, bytes, name, attachments).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            for w in &outcome.warnings {
                eprintln!("Aviso: {w}");
            }
            let what = match outcome.published {
                shared::form::Published::New => "publicado",
                shared::form::Published::Unchanged => "ya estaba publicado con el mismo contenido",
            };
            println!("Formulario «{}» versión {} {what}.", outcome.form_id, outcome.version);
        }
    }
    Ok(())
}
