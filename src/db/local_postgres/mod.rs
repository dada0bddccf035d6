//! A private PostgreSQL server, for when `DATABASE_URL` is unset.
//!
//! The server binaries installed on the machine create a cluster under the
//! data folder on first use and run it on a unix socket inside that folder,
//! so no TCP port can collide and only this user (and root) can connect.
//! PostgreSQL refuses to run as root; as root, the server runs as an
//! unprivileged system user instead.
//!
//! One live process owns the server (see [`supervise`]): it started it, or
//! took over one whose owner is gone; it restarts the server when it dies and
//! stops it on exit. Others on the same folder reuse it.

mod supervise;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::process::Command;

pub use supervise::{SUPERVISE_EVERY, Supervisor};

/// Name of the superuser and of the service's database in the private cluster.
pub const SUPERUSER: &str = "meldeplikt";
/// The database the service uses in the private cluster.
pub const DATABASE: &str = "meldeplikt";
/// Longest path of a unix socket that every platform accepts (macOS: 104).
const MAX_SOCKET_PATH: usize = 100;
/// Users that may run the server when we are root, in order of preference.
const UNPRIVILEGED_USERS: [&str; 2] = ["postgres", "nobody"];

#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or in the usual \
         places ({searched}).\nInstall them (Debian/Ubuntu: `apt-get install postgresql`, \
         Fedora: `dnf install postgresql-server`, macOS: `brew install postgresql@16`) or set \
         DATABASE_URL to a PostgreSQL server you run yourself."
    )]
    NoBinaries { searched: String },
    #[error("{path} is not usable for the private database: {why}")]
    DataDir { path: PathBuf, why: String },
    #[error(
        "the private database in {path} is in use by process {pid}, which does not answer \
         on {socket}; stop that process or remove {path}/postmaster.pid if it is not PostgreSQL"
    )]
    InUse {
        path: PathBuf,
        pid: i32,
        socket: PathBuf,
    },
    #[error(
        "the private database in {path} is owned by process {owner}, which does not run \
         its server; stop that process"
    )]
    OwnerNotServing { path: PathBuf, owner: String },
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
    #[error("running as root, but none of the users {users:?} exists to run PostgreSQL as")]
    NoUnprivilegedUser { users: [&'static str; 2] },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("cannot connect to the private database: {0}")]
    Connect(String),
}

/// Extra server settings, e.g. `fsync=off` for throw-away test clusters.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub settings: Vec<(String, String)>,
}

/// The account the server runs under when we are root.
#[derive(Debug, Clone)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// A running private server. Stopped by [`LocalPostgres::stop`], or on drop
/// if this process owns it.
#[derive(Debug)]
pub struct LocalPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    run_as: Option<RunAs>,
    options: Options,
    /// Whether this process stops the server (on `stop` or drop).
    owned: bool,
    /// The owner file, locked while this process owns the server.
    owner_lock: Option<std::fs::File>,
    stopped: bool,
}

impl LocalPostgres {
    /// Starts (or reuses) the server of the cluster in `cluster_dir`,
    /// creating the cluster on first use, and makes sure the service's
    /// database exists.
    pub async fn start(cluster_dir: &Path, options: &Options) -> Result<Self, LocalPgError> {
        let bin_dir = find_binaries(&default_search_path())?;
        Self::start_with(bin_dir, cluster_dir, options).await
    }

    /// Like [`LocalPostgres::start`] with the binaries' folder given.
    pub async fn start_with(
        bin_dir: PathBuf,
        cluster_dir: &Path,
        options: &Options,
    ) -> Result<Self, LocalPgError> {
        let cluster_dir = absolute(cluster_dir)?;
        let socket = socket_path(&cluster_dir);
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            return Err(LocalPgError::DataDir {
                path: cluster_dir,
                why: format!(
                    "the socket path {} is longer than {MAX_SOCKET_PATH} characters; \
                     set MELDEPLIKT_DATA_DIR to a shorter folder",
                    socket.display()
                ),
            });
        }
        if cluster_dir.to_string_lossy().contains(['\'', '"', '\\']) {
            return Err(LocalPgError::DataDir {
                path: cluster_dir,
                why: "the path must not contain quotes or backslashes".into(),
            });
        }
        let run_as = run_as()?;
        if cluster_dir.parent().is_none() {
            return Err(LocalPgError::DataDir {
                path: cluster_dir,
                why: "has no parent folder".into(),
            });
        }
        let mut server = Self {
            bin_dir,
            cluster_dir,
            run_as,
            options: options.clone(),
            owned: false,
            owner_lock: None,
            stopped: false,
        };
        std::fs::create_dir_all(server.parent())?;

        // Whoever can claim the server owns it: starts it, or adopts one left
        // running by an owner that is gone. Others reuse it once it answers;
        // while a live owner is (re)starting it, they wait their turn.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let lock = server.start_lock().await?;
            if server.claim()? {
                if !server.cluster_dir.join("PG_VERSION").is_file() {
                    server.init_cluster().await?;
                }
                if server.running_pid().await?.is_some() {
                    tracing::warn!(cluster = %server.cluster_dir.display(), "adopting the private PostgreSQL left running by a service that is gone; it is stopped when this one stops");
                } else {
                    server.start_server().await?;
                }
                break;
            }
            if server.cluster_dir.join("PG_VERSION").is_file() && server.answers().await {
                tracing::info!(cluster = %server.cluster_dir.display(), "reusing the private PostgreSQL that another service runs");
                break;
            }
            drop(lock);
            if Instant::now() >= deadline {
                return Err(LocalPgError::OwnerNotServing {
                    path: server.cluster_dir.clone(),
                    owner: server.owner_pid(),
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        server.wait_until_ready(Duration::from_secs(30)).await?;
        server.ensure_database(DATABASE).await?;
        Ok(server)
    }

    /// Connection URL of `database` in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}@/{database}?host={}",
            percent_encode(&self.cluster_dir.to_string_lossy())
        )
    }

    /// Whether this process owns the server (and so will stop it).
    pub fn is_owner(&self) -> bool {
        self.owned
    }

    /// The cluster's folder.
    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Stops the server if this process owns it, then gives up ownership.
    pub async fn stop(mut self) -> Result<(), LocalPgError> {
        self.stopped = true;
        if !self.owned {
            return Ok(());
        }
        let mut cmd = self.pg_ctl();
        cmd.args(["stop", "-m", "fast", "-w", "-t", "60", "-D"])
            .arg(&self.cluster_dir);
        run(cmd, "pg_ctl stop").await?;
        tracing::info!("stopped the private PostgreSQL");
        // Only now may another service claim the folder.
        drop(self.owner_lock.take());
        Ok(())
    }

    /// Makes a watcher stop the server and delete `remove` once process `pid`
    /// has exited, however it exits. For throw-away clusters in tests.
    pub fn stop_when_process_exits(
        &mut self,
        pid: u32,
        remove: Option<&Path>,
    ) -> Result<(), LocalPgError> {
        // Runs as this process's user: as root it may signal the server of
        // another user, which `pg_ctl` (refusing root) could not.
        let script = r#"while ps -p "$1" >/dev/null 2>&1; do sleep 1; done
pid=$(head -n 1 "$2/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
  kill -INT "$pid" 2>/dev/null
  i=0; while [ -f "$2/postmaster.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
fi
if [ -n "$3" ]; then rm -rf "$3"; fi"#;
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg("watcher")
            .arg(pid.to_string())
            .arg(&self.cluster_dir)
            .arg(remove.map(Path::as_os_str).unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cmd.spawn()?;
        // The watcher stops the server now; dropping must not.
        self.owned = false;
        Ok(())
    }

    fn pg_ctl(&self) -> Command {
        self.command("pg_ctl")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("LC_ALL", "C")
            .env_remove("PGDATA")
            // Ctrl-C in a terminal goes to the whole process group; the
            // server must outlive the service's own graceful shutdown.
            .process_group(0);
        if let Some(user) = &self.run_as {
            cmd.uid(user.uid).gid(user.gid);
        }
        cmd
    }

    async fn init_cluster(&self) -> Result<(), LocalPgError> {
        if self.cluster_dir.exists() && std::fs::read_dir(&self.cluster_dir)?.next().is_some() {
            return Err(LocalPgError::DataDir {
                path: self.cluster_dir.clone(),
                why: "exists but holds no PostgreSQL cluster; empty or remove it".into(),
            });
        }
        // Build the cluster beside its final place and move it in whole, so a
        // crash during initdb never leaves a half-made cluster behind.
        let staging = self.cluster_dir.with_extension("initdb");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        self.give_to_server_user(&staging)?;
        let mut cmd = self.command("initdb");
        cmd.arg("-D").arg(&staging).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        tracing::info!(cluster = %self.cluster_dir.display(), "creating the private PostgreSQL cluster");
        run(cmd, "initdb").await?;
        if self.cluster_dir.exists() {
            std::fs::remove_dir(&self.cluster_dir)?;
        }
        std::fs::rename(&staging, &self.cluster_dir)?;
        Ok(())
    }

    fn give_to_server_user(&self, dir: &Path) -> Result<(), LocalPgError> {
        use std::os::unix::fs::PermissionsExt;
        if let Some(user) = &self.run_as {
            std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid))?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        Ok(())
    }

    /// The pid of a live server of this cluster, after clearing a stale
    /// `postmaster.pid` left by a crash.
    async fn running_pid(&self) -> Result<Option<i32>, LocalPgError> {
        let pid_file = self.cluster_dir.join("postmaster.pid");
        let Ok(text) = std::fs::read_to_string(&pid_file) else {
            return Ok(None);
        };
        let pid = text
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<i32>().ok());
        match pid {
            Some(pid) if pid > 0 && is_postgres_process(pid) => {
                if self.answers().await {
                    return Ok(Some(pid));
                }
                // It may still be starting up (another process started it).
                if self.wait_until_ready(Duration::from_secs(10)).await.is_ok() {
                    return Ok(Some(pid));
                }
                Err(LocalPgError::InUse {
                    path: self.cluster_dir.clone(),
                    pid,
                    socket: socket_path(&self.cluster_dir),
                })
            }
            _ => {
                tracing::warn!(file = %pid_file.display(), "removing a stale postmaster.pid");
                std::fs::remove_file(&pid_file)?;
                Ok(None)
            }
        }
    }

    async fn start_server(&self) -> Result<(), LocalPgError> {
        let mut server_options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c port=5432",
            self.cluster_dir.display()
        );
        for (key, value) in &self.options.settings {
            server_options.push_str(&format!(" -c {key}={value}"));
        }
        let log = self.cluster_dir.join("server.log");
        let mut cmd = self.pg_ctl();
        cmd.args(["start", "-w", "-t", "60", "-D"])
            .arg(&self.cluster_dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(server_options);
        tracing::info!(cluster = %self.cluster_dir.display(), "starting the private PostgreSQL");
        if let Err(err) = run(cmd, "pg_ctl start").await {
            let tail = std::fs::read_to_string(&log)
                .map(|t| {
                    let lines: Vec<_> = t.lines().rev().take(10).collect();
                    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
                })
                .unwrap_or_default();
            return Err(LocalPgError::Command {
                command: "pg_ctl start".into(),
                output: format!("{err}\n{tail}"),
            });
        }
        Ok(())
    }

    async fn answers(&self) -> bool {
        AsyncPgConnection::establish(&self.url("postgres"))
            .await
            .is_ok()
    }

    async fn wait_until_ready(&self, limit: Duration) -> Result<(), LocalPgError> {
        let started = Instant::now();
        loop {
            match AsyncPgConnection::establish(&self.url("postgres")).await {
                Ok(_) => return Ok(()),
                Err(err) if started.elapsed() > limit => {
                    return Err(LocalPgError::Connect(err.to_string()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Creates `database` unless it exists.
    pub async fn ensure_database(&self, database: &str) -> Result<(), LocalPgError> {
        use diesel::sql_types::Text;
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            #[expect(dead_code, reason = "only its presence matters")]
            one: i32,
        }
        let connect_err = |e: diesel::ConnectionError| LocalPgError::Connect(e.to_string());
        let query_err = |e: diesel::result::Error| LocalPgError::Connect(e.to_string());
        let mut conn = AsyncPgConnection::establish(&self.url("postgres"))
            .await
            .map_err(connect_err)?;
        let found: Vec<Found> =
            diesel::sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
                .bind::<Text, _>(database)
                .load(&mut conn)
                .await
                .map_err(query_err)?;
        if found.is_empty() {
            let sql = format!("CREATE DATABASE \"{}\"", database.replace('"', "\"\""));
            match diesel::sql_query(sql).execute(&mut conn).await {
                Ok(_) => {}
                // Another process created it between our look and our create.
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => {}
                Err(e) if e.to_string().contains("already exists") => {}
                Err(e) => return Err(query_err(e)),
            }
        }
        Ok(())
    }
}

impl Drop for LocalPostgres {
    /// A server this process started is not left behind when start-up fails
    /// half-way or the service ends by an error.
    fn drop(&mut self) {
        if self.owned && !self.stopped {
            let mut cmd = std::process::Command::new(self.bin_dir.join("pg_ctl"));
            cmd.args(["stop", "-m", "fast", "-w", "-D"])
                .arg(&self.cluster_dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(user) = &self.run_as {
                use std::os::unix::process::CommandExt;
                cmd.uid(user.uid).gid(user.gid);
            }
            let _ = cmd.status();
        }
    }
}

/// Where to look for the server binaries: `PATH`, then the usual places.
pub fn default_search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    // Debian and Ubuntu keep one folder per major version; newest first.
    let mut versioned = Vec::new();
    for pattern_root in [
        "/usr/lib/postgresql",
        "/opt/homebrew/opt",
        "/usr/local/opt",
        "/Applications/Postgres.app/Contents/Versions",
    ] {
        if let Ok(entries) = std::fs::read_dir(pattern_root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if pattern_root.ends_with("opt") && !name.starts_with("postgresql") {
                    continue;
                }
                versioned.push((version_of(&name), entry.path().join("bin")));
            }
        }
    }
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    dirs.extend(versioned.into_iter().map(|(_, dir)| dir));
    dirs.extend(
        [
            "/usr/pgsql/bin",
            "/usr/local/pgsql/bin",
            "/opt/homebrew/bin",
            "/usr/local/bin",
        ]
        .map(PathBuf::from),
    );
    dirs
}

fn version_of(name: &str) -> u32 {
    name.chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// The first folder holding both `initdb` and `pg_ctl`.
pub fn find_binaries(search: &[PathBuf]) -> Result<PathBuf, LocalPgError> {
    search
        .iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .map(|dir| {
            // `/usr/local/bin/pg_ctl` may be a link into the real folder.
            std::fs::canonicalize(dir.join("pg_ctl"))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .filter(|real| real.join("initdb").is_file())
                .unwrap_or_else(|| dir.clone())
        })
        .ok_or_else(|| LocalPgError::NoBinaries {
            searched: search
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn run_as() -> Result<Option<RunAs>, LocalPgError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    for name in UNPRIVILEGED_USERS {
        if let Ok(Some(user)) = nix::unistd::User::from_name(name) {
            return Ok(Some(RunAs {
                uid: user.uid.as_raw(),
                gid: user.gid.as_raw(),
            }));
        }
    }
    Err(LocalPgError::NoUnprivilegedUser {
        users: UNPRIVILEGED_USERS,
    })
}

fn is_postgres_process(pid: i32) -> bool {
    use nix::errno::Errno;
    let alive = match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) | Err(Errno::EPERM) => true,
        Err(_) => false,
    };
    if !alive {
        return false;
    }
    // A killed server nobody has reaped yet is no server.
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        && let Some((_, after_name)) = stat.rsplit_once(')')
        && matches!(after_name.trim_start().chars().next(), Some('Z' | 'X'))
    {
        return false;
    }
    // After a crash and a reboot the pid may belong to something else.
    match std::fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => comm.trim().starts_with("postgres"),
        Err(_) => !Path::new("/proc/self").exists(),
    }
}

fn socket_path(cluster_dir: &Path) -> PathBuf {
    cluster_dir.join(".s.PGSQL.5432")
}

fn absolute(path: &Path) -> Result<PathBuf, LocalPgError> {
    let path = std::path::absolute(path)?;
    // Resolve symbolic links in the part that exists, for a stable socket path.
    match path.parent().map(std::fs::canonicalize) {
        Some(Ok(parent)) => Ok(parent.join(path.file_name().unwrap_or_default())),
        _ => Ok(path),
    }
}

async fn run(mut cmd: Command, what: &str) -> Result<Output, LocalPgError> {
    let output = cmd.output().await.map_err(|e| LocalPgError::Command {
        command: what.into(),
        output: e.to_string(),
    })?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(LocalPgError::Command {
            command: what.into(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
            .trim()
            .to_owned(),
        })
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_binaries_names_the_package_and_the_alternative() {
        let err = find_binaries(&[PathBuf::from("/nonexistent")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("apt-get install postgresql"), "{text}");
        assert!(text.contains("DATABASE_URL"), "{text}");
        assert!(text.contains("/nonexistent"), "{text}");
    }

    #[test]
    fn socket_folder_is_percent_encoded_in_the_url() {
        assert_eq!(percent_encode("/a b/c"), "%2Fa%20b%2Fc");
    }

    #[test]
    fn newest_versioned_folder_wins() {
        assert!(version_of("16") > version_of("15"));
        assert!(version_of("postgresql@17") > version_of("postgresql@9"));
    }
}
