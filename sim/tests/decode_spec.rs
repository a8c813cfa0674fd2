//! `qi decode --spec DIR`, the decoder driven by a spec loaded at run time: on the QI spec it
//! reads every log of the built-in decoder's tests as the built-in decoder does.

mod decode_support;

use decode_support::{hand_made_logs, spec_dir, transcripts};
use qi_sim::decode::{self, by_spec};
use serde_json::Value;

fn json(records: &[decode::Record]) -> Vec<Value> {
    records.iter().map(decode::Record::to_json).collect()
}

/// What the spec-driven decoder adds to a record of the built-in one, taken out of `by_spec`
/// where `built_in` lacks it: the name of a `+CME ERROR` code (`fields.name`); the text of a
/// field that carries an error code under another name than `err` (`result_text` of
/// `+QPING`); the line's name where the built-in decoder gives none (a data line whose hex
/// payload does not decode); the header's fields of a data line the log ends inside.
fn without_additions(built_in: &[Value], mut by_spec: Vec<Value>) -> Vec<Value> {
    for (b, s) in built_in.iter().zip(by_spec.iter_mut()) {
        if b.get("name").is_none() {
            s.as_object_mut().unwrap().remove("name");
        }
        let truncated = b["warnings"].to_string().contains("truncated log");
        let (Some(bf), Some(sf)) = (b["fields"].as_object(), s["fields"].as_object_mut()) else {
            continue;
        };
        if truncated && bf.is_empty() {
            sf.clear();
        }
        let added: Vec<String> = sf
            .keys()
            .filter(|k| !bf.contains_key(*k))
            .filter(|k| k.ends_with("_text") || (b["name"] == "CME ERROR" && *k == "name"))
            .cloned()
            .collect();
        for k in added {
            sf.remove(&k);
        }
    }
    by_spec
}

/// Logs the spec cannot decode as the built-in decoder does, and why: in hex sending
/// (`AT+QICFG="dataformat",1,..`) the host writes two digits per byte after the prompt, and
/// the schema ties no setting to a prompt's payload (`prompt:` has no `encoding_by`), so the
/// spec-driven decoder counts bytes.
const HEX_SENDING: &str = r#"AT+QICFG=\"dataformat\",1"#;

/// Framing and variant choices the other logs leave out.
const MORE: &[&[u8]] = &[
    // A pushed payload in hex digits.
    b"AT+QICFG=\"dataformat\",0,1\r\nOK\r\nAT+QIOPEN=1,2,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n\
      +QIOPEN: 2,0\r\n+QIURC: \"recv\",2,4\r\n0D0A4F4B\r\n",
    // A socket the log never opened: pushed unless recvind is on.
    b"+QIURC: \"recv\",4,2\r\nhi\r\nAT+QICFG=\"recvind\",1\r\nOK\r\n+QIURC: \"recv\",4,2\r\nOK\r\n",
    // A socket switched to direct push, and back.
    b"AT+QISWTMD=1,1\r\nOK\r\n+QIURC: \"recv\",1,2\r\nOK\r\nAT+QISWTMD=1,0\r\nOK\r\n\
      +QIURC: \"recv\",1\r\n",
    // Buffer access without recvind: neither recv variant with a length fits the settings.
    b"AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",7,0,0\r\nOK\r\n+QIURC: \"recv\",0,5\r\nOK\r\n",
    // Hex digits after a comma in a pushed URC, and a header cut by the log's end.
    b"AT+QICFG=\"viewmode\",1\r\nOK\r\nAT+QICFG=\"dataformat\",0,1\r\nOK\r\n\
      AT+QIOPEN=1,3,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n+QIURC: \"recv\",3,2,4F4B\r\n\
      +QIURC: \"recv\",3,9,4F",
    // Problems: a bad keyword, a missing field, a test response that lists other values.
    b"+QIURC: \"nonsense\",1\r\n+QIOPEN: 1\r\nAT+QIOPEN=?\r\n\
      +QIOPEN: (1-16),(0-11),\"TCP/UDP\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)\r\nOK\r\n",
];

#[test]
fn the_qi_spec_decodes_every_test_log_as_the_built_in_decoder() {
    let table = by_spec::load(&spec_dir()).unwrap();
    let mut logs: Vec<(String, Vec<u8>)> = hand_made_logs()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (format!("decode_log.rs literal {i}"), l))
        .collect();
    logs.extend(transcripts().into_iter().map(|t| (t.name, t.bytes)));
    logs.extend(MORE.iter().map(|l| (l.escape_ascii().to_string(), l.to_vec())));
    assert!(logs.len() > 40, "{} logs", logs.len());
    let mut differ = Vec::new();
    for (name, log) in &logs {
        let built_in = json(&decode::decode_log(log));
        let by_spec = without_additions(&built_in, json(&by_spec::decode_log(&table, log)));
        if log.escape_ascii().to_string().contains(HEX_SENDING) {
            // Alike up to the prompt's payload.
            let at = built_in.iter().zip(&by_spec).position(|(a, b)| a != b);
            let at = at.expect("a hex-sending log differs at its prompt's payload");
            assert!(
                at > 0 && built_in[at - 1]["kind"] == "prompt"
                    || built_in[at]["kind"] == "prompt",
                "{name}: differs before the prompt: {} against {}",
                built_in[at],
                by_spec[at]
            );
            continue;
        }
        if built_in != by_spec {
            let first = built_in
                .iter()
                .zip(&by_spec)
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("built-in {a}\n   by spec  {b}"))
                .unwrap_or_else(|| format!("{} records against {}", built_in.len(), by_spec.len()));
            differ.push(format!("{name}: {}\n   {first}", log.escape_ascii()));
        }
    }
    assert!(differ.is_empty(), "{} differ:\n{}", differ.len(), differ.join("\n"));
}
