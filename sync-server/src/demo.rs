//! A believable demo program for trying Ventanilla: the 2025 period, 20 centros of
//! Guanajuato across the four categories, users of every role with assignments and quotas.
//! Seeded only into a database without users.

use chrono::NaiveDate;
use shared::protocol::Role;
use shared::scoring::{Ambito, MethodSettings, Tipo};

use crate::auth::hash_password;
use crate::db::{CentroRow, Db, NewUser, PeriodRow};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "ventanilla2025";

/// (id, name, dependencia, ámbito, tipo, municipio, lat, lon, trámites)
type CentroSeed = (&'static str, &'static str, &'static str, Ambito, Tipo, &'static str, f64, f64, &'static [&'static str]);

const CENTROS: [CentroSeed; 20] = [
    ("GTO-E-T-01", "Recaudación León Centro", "Secretaría de Finanzas", Ambito::Estatal, Tipo::Tramites, "León", 21.1221, -101.6842, &["Placas y control vehicular", "Licencia de conducir", "Pago de tenencia"]),
    ("GTO-E-T-02", "Recaudación Irapuato", "Secretaría de Finanzas", Ambito::Estatal, Tipo::Tramites, "Irapuato", 20.6768, -101.3561, &["Placas y control vehicular", "Licencia de conducir"]),
    ("GTO-E-T-03", "Registro Civil Guanajuato", "Secretaría de Gobierno", Ambito::Estatal, Tipo::Tramites, "Guanajuato", 21.0186, -101.2591, &["Actas de nacimiento", "Matrimonio", "CURP"]),
    ("GTO-E-T-04", "Registro Público Celaya", "Secretaría de Gobierno", Ambito::Estatal, Tipo::Tramites, "Celaya", 20.5237, -100.8149, &["Certificado de libertad de gravamen", "Inscripción de escrituras"]),
    ("GTO-E-T-05", "Módulo de Licencias Salamanca", "Secretaría de Seguridad", Ambito::Estatal, Tipo::Tramites, "Salamanca", 20.5722, -101.1966, &["Licencia de conducir", "Permiso para menores"]),
    ("GTO-E-S-01", "Centro de Salud León Oriente", "Secretaría de Salud", Ambito::Estatal, Tipo::Servicios, "León", 21.1289, -101.6511, &["Consulta general", "Vacunación", "Control prenatal"]),
    ("GTO-E-S-02", "Hospital General Silao", "Secretaría de Salud", Ambito::Estatal, Tipo::Servicios, "Silao", 20.9431, -101.4262, &["Urgencias", "Consulta externa"]),
    ("GTO-E-S-03", "Centro de Salud Dolores Hidalgo", "Secretaría de Salud", Ambito::Estatal, Tipo::Servicios, "Dolores Hidalgo", 21.1567, -100.9331, &["Consulta general", "Vacunación"]),
    ("GTO-E-S-04", "Oficina de Empleo Celaya", "Secretaría de Economía", Ambito::Estatal, Tipo::Servicios, "Celaya", 20.5201, -100.8112, &["Bolsa de trabajo", "Capacitación"]),
    ("GTO-E-S-05", "Biblioteca Central Estatal", "Secretaría de Cultura", Ambito::Estatal, Tipo::Servicios, "Guanajuato", 21.0169, -101.2549, &["Préstamo de libros", "Talleres"]),
    ("GTO-M-T-01", "Tesorería Municipal León", "Municipio de León", Ambito::Municipal, Tipo::Tramites, "León", 21.1229, -101.6805, &["Pago de predial", "Licencia de funcionamiento"]),
    ("GTO-M-T-02", "Desarrollo Urbano Irapuato", "Municipio de Irapuato", Ambito::Municipal, Tipo::Tramites, "Irapuato", 20.6741, -101.3489, &["Permiso de construcción", "Uso de suelo"]),
    ("GTO-M-T-03", "Catastro San Miguel de Allende", "Municipio de San Miguel de Allende", Ambito::Municipal, Tipo::Tramites, "San Miguel de Allende", 20.9142, -100.7436, &["Avalúo catastral", "Pago de predial"]),
    ("GTO-M-T-04", "Ventanilla Única Pénjamo", "Municipio de Pénjamo", Ambito::Municipal, Tipo::Tramites, "Pénjamo", 20.4318, -101.7226, &["Licencia de funcionamiento", "Constancia de residencia"]),
    ("GTO-M-T-05", "Tesorería Municipal Acámbaro", "Municipio de Acámbaro", Ambito::Municipal, Tipo::Tramites, "Acámbaro", 20.0311, -100.7219, &["Pago de predial", "Pago de agua"]),
    ("GTO-M-S-01", "Agua Potable León (oficina centro)", "Municipio de León", Ambito::Municipal, Tipo::Servicios, "León", 21.1198, -101.6760, &["Contratos de agua", "Aclaraciones de recibo"]),
    ("GTO-M-S-02", "DIF Municipal Celaya", "Municipio de Celaya", Ambito::Municipal, Tipo::Servicios, "Celaya", 20.5275, -100.8169, &["Asistencia social", "Rehabilitación"]),
    ("GTO-M-S-03", "Agua Potable Salamanca", "Municipio de Salamanca", Ambito::Municipal, Tipo::Servicios, "Salamanca", 20.5701, -101.1921, &["Contratos de agua", "Reportes de fuga"]),
    ("GTO-M-S-04", "DIF Municipal Guanajuato", "Municipio de Guanajuato", Ambito::Municipal, Tipo::Servicios, "Guanajuato", 21.0207, -101.2566, &["Asistencia social", "Apoyos alimentarios"]),
    ("GTO-M-S-05", "Casa de la Cultura Silao", "Municipio de Silao", Ambito::Municipal, Tipo::Servicios, "Silao", 20.9466, -101.4283, &["Talleres", "Eventos"]),
];

/// (username, display name, role, supervisor, assigned centros by index)
type UserSeed = (&'static str, &'static str, Role, Option<&'static str>, &'static [usize]);

const USERS: [UserSeed; 10] = [
    ("admin", "Administración Ventanilla", Role::Admin, None, &[]),
    ("coordinacion", "Coordinación DMASG", Role::Staff, None, &[]),
    ("sup.norte", "Laura Méndez (supervisora norte)", Role::Supervisor, None, &[]),
    ("sup.sur", "Jorge Rangel (supervisor sur)", Role::Supervisor, None, &[]),
    ("enc.ana", "Ana Torres", Role::Surveyor, Some("sup.norte"), &[0, 5, 10, 15, 2]),
    ("enc.luis", "Luis Herrera", Role::Surveyor, Some("sup.norte"), &[6, 9, 12, 18, 19]),
    ("enc.marta", "Marta Juárez", Role::Surveyor, Some("sup.sur"), &[1, 3, 8, 11, 16]),
    ("enc.jose", "José Ramírez", Role::Surveyor, Some("sup.sur"), &[4, 7, 13, 14, 17]),
    ("insp.carmen", "Carmen Ortiz", Role::Inspector, Some("sup.norte"), &[0, 2, 5, 6, 9, 10, 12, 15, 18, 19]),
    ("insp.raul", "Raúl Campos", Role::Inspector, Some("sup.sur"), &[1, 3, 4, 7, 8, 11, 13, 14, 16, 17]),
];

/// (username, display name, institution): Enlaces Institucionales.
const ENLACES: [(&str, &str, &str); 2] = [
    ("enlace.salud", "Patricia Silva (enlace, Secretaría de Salud)", "Secretaría de Salud"),
    ("enlace.leon", "Ricardo Flores (enlace, Municipio de León)", "Municipio de León"),
];

/// Seeds the demo program into `db` when it has no users; returns whether it did.
pub async fn seed(db: &Db) -> anyhow::Result<bool> {
    if db.user_id("admin".into()).await.is_ok() {
        return Ok(false);
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    let end = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or_else(|| anyhow::anyhow!("date"))?;
    db.upsert_period(PeriodRow { id: "2025".into(), name: "Evaluación MAS 2025".into(), start, end, settings: MethodSettings::default() })
        .await?;
    for (i, (id, name, dependencia, ambito, tipo, municipio, lat, lon, tramites)) in CENTROS.iter().enumerate() {
        let row = CentroRow {
            id: id.to_string(),
            name: name.to_string(),
            dependencia: dependencia.to_string(),
            ambito: *ambito,
            tipo: *tipo,
            municipio: municipio.to_string(),
            lat: Some(*lat),
            lon: Some(*lon),
            sampling_interval: 3 + (i as u32 % 5),
            tramites: tramites.iter().map(|t| t.to_string()).collect(),
        };
        db.upsert_centro(row).await?;
        db.set_quota("2025".into(), id.to_string(), 80 + 10 * (i as u32 % 4)).await?;
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD)).await??;
    for (username, name, role, supervisor, centros) in USERS {
        let user = NewUser {
            username: username.into(),
            display_name: name.into(),
            role,
            password_hash: hash.clone(),
            supervisor: supervisor.map(String::from),
            institution: None,
        };
        let id = db.create_user(user).await?;
        for &c in centros {
            db.assign(id, CENTROS[c].0.to_string()).await?;
        }
    }
    for (username, name, institution) in ENLACES {
        let user = NewUser {
            username: username.into(),
            display_name: name.into(),
            role: Role::Enlace,
            password_hash: hash.clone(),
            supervisor: None,
            institution: Some(institution.into()),
        };
        db.create_user(user).await?;
    }
    seed_staff(db).await?;
    Ok(true)
}

/// (name, puesto, front-line): the plantilla of the Centro de Salud León Oriente.
const PLANTILLA: [(&str, &str, bool); 6] = [
    ("María Guadalupe Hernández", "Recepción", true),
    ("Juan Carlos Medina", "Ventanilla de citas", true),
    ("Rosa Elena Vázquez", "Trabajo social", true),
    ("Alejandro Ruiz", "Archivo clínico", true),
    ("Dra. Sofía Castañeda", "Dirección", false),
    ("Miguel Ángel Soto", "Administración", false),
];

/// The Enlace of Salud files the cédula and plantilla of GTO-E-S-01, staff accept it, and
/// three of its four front-line people attend an EC0105 training: TC-V7 shows 3 de 4.
async fn seed_staff(db: &Db) -> anyhow::Result<()> {
    let centro = CENTROS[5];
    let enlace = db.user_id("enlace.salud".into()).await?;
    let staff = db.user_id("coordinacion".into()).await?;
    let row = db.centro(centro.0.to_string()).await?;
    db.file_cedula("2025".into(), centro.2.into(), enlace, vec![(row.id.clone(), row.definition())]).await?;
    let people = PLANTILLA.iter().map(|(n, p, f)| shared::protocol::PlantillaPerson { name: n.to_string(), puesto: p.to_string(), front_line: *f }).collect();
    db.file_plantilla("2025".into(), centro.2.into(), enlace, [(row.id.clone(), people)].into()).await?;
    let request = db.incorporations(Some(centro.2.into()), Some(shared::protocol::IncorporationStatus::Pendiente)).await?;
    let id = request.first().map(|r| r.id).ok_or_else(|| anyhow::anyhow!("demo incorporation not filed"))?;
    db.accept_incorporation(id, staff, row).await?;
    let held_on = NaiveDate::from_ymd_opt(2025, 3, 10).ok_or_else(|| anyhow::anyhow!("date"))?;
    let training = shared::protocol::NewTraining {
        name: "Atención ciudadana con calidad".into(),
        held_on,
        modality: shared::protocol::Modality::Presencial,
        standard: Some("EC0105".into()),
    };
    let training = db.create_training(training, staff).await?;
    let attended: Vec<shared::protocol::AttendanceEntry> = db
        .staff(centro.0.to_string())
        .await?
        .iter()
        .filter(|p| p.front_line)
        .take(3)
        .map(|p| shared::protocol::AttendanceEntry { staff_id: p.id, outcome: Some(shared::protocol::AttendanceOutcome::Asistio) })
        .collect();
    db.set_attendance(training, attended, staff).await?;
    Ok(())
}

/// How to log in, for the terminal.
pub fn login_help(address: std::net::SocketAddr) -> String {
    let users: Vec<String> = USERS
        .iter()
        .map(|(u, _, role, _, _)| format!("  {u:<13} {}", role.code()))
        .chain(ENLACES.iter().map(|(u, _, institution)| format!("  {u:<13} enlace ({institution})")))
        .collect();
    format!(
        "Programa de demostración listo en http://{address}\nConsola web: http://{address}/consola\nUsuarios (contraseña «{DEMO_PASSWORD}»):\n{}",
        users.join("\n")
    )
}
