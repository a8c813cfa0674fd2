//! Each broken spec is the `minimal` fixture with one or more text edits; the checker must
//! report each problem at its exact place. The messages are snapshots (`cargo insta review`).

mod support;

use std::path::{Path, PathBuf};
use support::copy_dir;

/// (file, text to find, replacement); a missing file is created from the replacement.
type Edit = (&'static str, &'static str, &'static str);

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal")
}

/// Applies the edits to a copy of the minimal spec and returns the checker's messages, with
/// the temporary directory shown as `spec`.
fn messages(case: &str, edits: &[Edit]) -> String {
    let dir =
        std::env::temp_dir().join(format!("qi-codegen-fixture-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture_dir(), &dir);
    for (file, find, replace) in edits {
        let path = dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => {
                assert!(text.contains(find), "{case}: `{find}` not found in {file}");
                text.replacen(find, replace, 1)
            }
            Err(_) => replace.to_string(),
        };
        std::fs::write(&path, text).unwrap();
    }
    let out = match qi_codegen::load_and_check(&dir) {
        Ok(_) => "spec is valid".to_owned(),
        Err(diags) => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    std::fs::remove_dir_all(&dir).unwrap();
    out.replace(&dir.display().to_string(), "spec")
}

#[test]
fn the_minimal_fixture_is_valid() {
    assert_eq!(messages("valid", &[]), "spec is valid");
}

macro_rules! broken {
    ($($name:ident: [$($edit:expr),+ $(,)?];)+) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), messages(stringify!($name), &[$($edit),+]));
        }
    )+};
}

broken! {
    unknown_field_is_a_syntax_error: [("commands/qtest.yaml", "    about: lists sockets", "    abut: lists sockets")];
    yaml_syntax_error: [("urcs.yaml", "    prefix: \"+QTEST\"", "    prefix: [\"+QTEST\"")];
    unknown_parameter: [("commands/qtest.yaml", "      - kind\n      - label", "      - knd\n      - label")];
    unknown_response_field: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [connect_id, kind, labl]")];
    default_outside_range: [("params/common.yaml", "default: 60", "default: 5")];
    enum_duplicate_value: [("params/common.yaml", "{ value: 1, name: push", "{ value: 0, name: push")];
    enum_duplicate_name: [("params/common.yaml", "name: push", "name: buffer")];
    duplicate_parameter_across_files: [("params/extra.yaml", "", "label:\n  doc: label\n  type: string\n  about: again\n")];
    range_out_of_order: [("params/common.yaml", "[[0, 0], [20, 86400]]", "[[20, 86400], [0, 0]]")];
    range_on_a_string: [("params/common.yaml", "  type: string\n  max_len: 8", "  type: string\n  range: [[0, 1]]\n  max_len: 8")];
    required_after_optional: [("commands/qtest.yaml", "      - { param: mode, optional: true, default: 0 }", "      - { param: mode }")];
    rule_names_unknown_parameter: [("commands/qtest.yaml", "then: { period: { range: [[0, 0]] } }", "then: { perod: { range: [[0, 0]] } }")];
    rule_names_unknown_enum_value: [("commands/qtest.yaml", "one_of: [udp_service]", "one_of: [udp_server]")];
    rule_range_outside_parameter: [("commands/qtest.yaml", "then: { period: { range: [[0, 0]] } }", "then: { period: { range: [[0, 10]] } }")];
    constraint_with_two_keys: [("commands/qtest.yaml", "then: { period: { range: [[0, 0]] } }", "then: { period: { range: [[0, 0]], present: true } }")];
    later_names_unknown_urc: [("commands/qtest.yaml", "later: [opened]", "later: [open]")];
    unconditional_outcome_not_last: [("commands/qtest.yaml", "        - if: { mode: { one_of: [push] } }\n", "        - final: [OK]\n        - if: { mode: { one_of: [push] } }\n")];
    duplicate_form_name: [("commands/qtest.yaml", "  - name: send_hex", "  - name: send")];
    since_names_unknown_revision: [("commands/qtest.yaml", "since: \"1.1\"", "since: \"1.5\"")];
    data_length_not_a_field: [("commands/qtest.yaml", "data: { length: actual_length }", "data: { length: actual }")];
    dangling_erratum_reference: [("params/common.yaml", "  about: a socket", "  about: a socket (see erratum no-such-decision)")];
    data_length_without_range: [("params/common.yaml", "  range: [[0, 1460]]\n  unit: byte", "  unit: byte")];
    prompt_length_not_a_parameter: [("commands/qtest.yaml", "prompt: { length: send_length", "prompt: { length: length")];
    urc_prefix_with_and_without_keyword: [("urcs.yaml", "    keyword: recv\n", ""), ("urcs.yaml", "errata: []", "  - { name: closed, prefix: \"+QIURC\", keyword: closed, section: \"9.3\", about: closed, fields: [connect_id] }\nerrata: []")];
    urc_defined_twice: [("urcs.yaml", "  - name: recv\n", "  - name: opened\n")];
    error_code_twice: [("errors.yaml", "code: 550", "code: 0")];
    erratum_id_twice: [("errata.yaml", "errata: []", "errata:\n  - { id: qtest-example, section: x, document: x, decision: x, why: x }")];
    command_in_wrong_file: [("commands/qtest.yaml", "name: QTEST", "name: QTESTX")];
    transcript_value_out_of_range: [("commands/qtest.yaml", "module: \"+QTEST: 1,0\"", "module: \"+QTEST: 1,9\"")];
    transcript_line_matches_nothing: [("examples/flow.yaml", "module: SEND OK", "module: \"+QWHAT: 1\"")];
    transcript_payload_length_mismatch: [("commands/qtest.yaml", "host_data: abcd", "host_data: abc")];
    transcript_module_data_length_mismatch: [("examples/flow.yaml", "module_data: \"OK\\r\\n\"", "module_data: \"OK\"")];
    transcript_unknown_command: [("examples/flow.yaml", "host: AT+QTEST=2,\"31AF\"", "host: AT+QNOPE=2")];
    transcript_bad_hex: [("examples/flow.yaml", "AT+QTEST=2,\"31AF\"", "AT+QTEST=2,\"31AG\"")];
    transcript_wrong_final_result: [("examples/flow.yaml", "module: SEND OK", "module: CONNECT")];
    transcript_rule_broken: [("examples/flow.yaml", "AT+QTEST=2,\"UDP SERVICE\",\"b\",0,1", "AT+QTEST=2,\"UDP SERVICE\",\"b\",20,1")];
    transcript_name_twice: [("examples/flow.yaml", "name: push_flow", "name: qtest_open_and_send")];
    field_named_like_the_payload: [("commands/qtest.yaml", "fields: [{ param: length, name: actual_length }]", "fields: [{ param: length, name: actual_length }, { param: connect_id, name: data }]")];
    parameter_type_named_like_a_generated_type: [("params/extra.yaml", "", "request:\n  doc: r\n  type: int\n  range: [[0, 1]]\n  about: clashes with the Request enum\n")];
    two_values_one_rust_name: [("params/common.yaml", "    - { value: 1, name: push, about: pushed at once }\n", "    - { value: 1, name: push, about: pushed at once }\n    - { value: 2, name: push_1, about: a }\n    - { value: 3, name: push1, about: b }\n")];
    command_named_like_a_generated_module: [("commands/limits.yaml", "", "name: LIMITS\ntitle: t\nsection: \"9.9\"\nabout: clashes with the limits module\nforms:\n  - { name: run, kind: execute, about: runs, response: { outcomes: [{ final: [OK] }] } }\n")];
    transcript_cme_error_not_listed: [("examples/flow.yaml", "      - module: OK\n      - module: \"+QTEST: 2,0\"", "      - module: \"+CME ERROR: 3\"")];
    later_within_without_later: [("commands/qtest.yaml", "        - final: [OK, ERROR]\n", "        - final: [OK, ERROR]\n          later_within: 5s\n")];
    until_names_unknown_revision: [("commands/qtest.yaml", "since: \"1.1\"", "since: \"1.1\"\n    until: \"1.7\"")];
    until_not_after_since: [("commands/qtest.yaml", "since: \"1.1\"", "since: \"1.1\"\n    until: \"1.0\"")];
    omitted_without_optional: [("commands/qtest.yaml", "      - kind\n      - label", "      - { param: kind, omitted: empty }\n      - label")];
    omitted_empty_on_the_last_parameter: [("commands/qtest.yaml", "      - { param: mode, optional: true, default: 0 }", "      - { param: mode, optional: true, default: 0, omitted: empty }")];
    length_names_no_earlier_field: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [connect_id, kind, { param: label, length: connect_id2 }]")];
    // The runtime's table interpreter keeps the numbers of a line's first 16 fields.
    length_beyond_the_sixteenth_field: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [connect_id, { param: connect_id, name: c1 }, { param: connect_id, name: c2 }, { param: connect_id, name: c3 }, { param: connect_id, name: c4 }, { param: connect_id, name: c5 }, { param: connect_id, name: c6 }, { param: connect_id, name: c7 }, { param: connect_id, name: c8 }, { param: connect_id, name: c9 }, { param: connect_id, name: c10 }, { param: connect_id, name: c11 }, { param: connect_id, name: c12 }, { param: connect_id, name: c13 }, { param: connect_id, name: c14 }, { param: connect_id, name: c15 }, { param: connect_id, name: c16 }, { param: label, length: c16 }]")];
    data_length_beyond_the_sixteenth_field: [("commands/qtest.yaml", "fields: [{ param: length, name: actual_length }]", "fields: [{ param: connect_id, name: c0 }, { param: connect_id, name: c1 }, { param: connect_id, name: c2 }, { param: connect_id, name: c3 }, { param: connect_id, name: c4 }, { param: connect_id, name: c5 }, { param: connect_id, name: c6 }, { param: connect_id, name: c7 }, { param: connect_id, name: c8 }, { param: connect_id, name: c9 }, { param: connect_id, name: c10 }, { param: connect_id, name: c11 }, { param: connect_id, name: c12 }, { param: connect_id, name: c13 }, { param: connect_id, name: c14 }, { param: connect_id, name: c15 }, { param: length, name: actual_length }]")];
    more_fields_than_a_byte_can_place: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [{ param: connect_id, name: c0 }, { param: connect_id, name: c1 }, { param: connect_id, name: c2 }, { param: connect_id, name: c3 }, { param: connect_id, name: c4 }, { param: connect_id, name: c5 }, { param: connect_id, name: c6 }, { param: connect_id, name: c7 }, { param: connect_id, name: c8 }, { param: connect_id, name: c9 }, { param: connect_id, name: c10 }, { param: connect_id, name: c11 }, { param: connect_id, name: c12 }, { param: connect_id, name: c13 }, { param: connect_id, name: c14 }, { param: connect_id, name: c15 }, { param: connect_id, name: c16 }, { param: connect_id, name: c17 }, { param: connect_id, name: c18 }, { param: connect_id, name: c19 }, { param: connect_id, name: c20 }, { param: connect_id, name: c21 }, { param: connect_id, name: c22 }, { param: connect_id, name: c23 }, { param: connect_id, name: c24 }, { param: connect_id, name: c25 }, { param: connect_id, name: c26 }, { param: connect_id, name: c27 }, { param: connect_id, name: c28 }, { param: connect_id, name: c29 }, { param: connect_id, name: c30 }, { param: connect_id, name: c31 }, { param: connect_id, name: c32 }, { param: connect_id, name: c33 }, { param: connect_id, name: c34 }, { param: connect_id, name: c35 }, { param: connect_id, name: c36 }, { param: connect_id, name: c37 }, { param: connect_id, name: c38 }, { param: connect_id, name: c39 }, { param: connect_id, name: c40 }, { param: connect_id, name: c41 }, { param: connect_id, name: c42 }, { param: connect_id, name: c43 }, { param: connect_id, name: c44 }, { param: connect_id, name: c45 }, { param: connect_id, name: c46 }, { param: connect_id, name: c47 }, { param: connect_id, name: c48 }, { param: connect_id, name: c49 }, { param: connect_id, name: c50 }, { param: connect_id, name: c51 }, { param: connect_id, name: c52 }, { param: connect_id, name: c53 }, { param: connect_id, name: c54 }, { param: connect_id, name: c55 }, { param: connect_id, name: c56 }, { param: connect_id, name: c57 }, { param: connect_id, name: c58 }, { param: connect_id, name: c59 }, { param: connect_id, name: c60 }, { param: connect_id, name: c61 }, { param: connect_id, name: c62 }, { param: connect_id, name: c63 }, { param: connect_id, name: c64 }, { param: connect_id, name: c65 }, { param: connect_id, name: c66 }, { param: connect_id, name: c67 }, { param: connect_id, name: c68 }, { param: connect_id, name: c69 }, { param: connect_id, name: c70 }, { param: connect_id, name: c71 }, { param: connect_id, name: c72 }, { param: connect_id, name: c73 }, { param: connect_id, name: c74 }, { param: connect_id, name: c75 }, { param: connect_id, name: c76 }, { param: connect_id, name: c77 }, { param: connect_id, name: c78 }, { param: connect_id, name: c79 }, { param: connect_id, name: c80 }, { param: connect_id, name: c81 }, { param: connect_id, name: c82 }, { param: connect_id, name: c83 }, { param: connect_id, name: c84 }, { param: connect_id, name: c85 }, { param: connect_id, name: c86 }, { param: connect_id, name: c87 }, { param: connect_id, name: c88 }, { param: connect_id, name: c89 }, { param: connect_id, name: c90 }, { param: connect_id, name: c91 }, { param: connect_id, name: c92 }, { param: connect_id, name: c93 }, { param: connect_id, name: c94 }, { param: connect_id, name: c95 }, { param: connect_id, name: c96 }, { param: connect_id, name: c97 }, { param: connect_id, name: c98 }, { param: connect_id, name: c99 }, { param: connect_id, name: c100 }, { param: connect_id, name: c101 }, { param: connect_id, name: c102 }, { param: connect_id, name: c103 }, { param: connect_id, name: c104 }, { param: connect_id, name: c105 }, { param: connect_id, name: c106 }, { param: connect_id, name: c107 }, { param: connect_id, name: c108 }, { param: connect_id, name: c109 }, { param: connect_id, name: c110 }, { param: connect_id, name: c111 }, { param: connect_id, name: c112 }, { param: connect_id, name: c113 }, { param: connect_id, name: c114 }, { param: connect_id, name: c115 }, { param: connect_id, name: c116 }, { param: connect_id, name: c117 }, { param: connect_id, name: c118 }, { param: connect_id, name: c119 }, { param: connect_id, name: c120 }, { param: connect_id, name: c121 }, { param: connect_id, name: c122 }, { param: connect_id, name: c123 }, { param: connect_id, name: c124 }, { param: connect_id, name: c125 }, { param: connect_id, name: c126 }, { param: connect_id, name: c127 }, { param: connect_id, name: c128 }, { param: connect_id, name: c129 }, { param: connect_id, name: c130 }, { param: connect_id, name: c131 }, { param: connect_id, name: c132 }, { param: connect_id, name: c133 }, { param: connect_id, name: c134 }, { param: connect_id, name: c135 }, { param: connect_id, name: c136 }, { param: connect_id, name: c137 }, { param: connect_id, name: c138 }, { param: connect_id, name: c139 }, { param: connect_id, name: c140 }, { param: connect_id, name: c141 }, { param: connect_id, name: c142 }, { param: connect_id, name: c143 }, { param: connect_id, name: c144 }, { param: connect_id, name: c145 }, { param: connect_id, name: c146 }, { param: connect_id, name: c147 }, { param: connect_id, name: c148 }, { param: connect_id, name: c149 }, { param: connect_id, name: c150 }, { param: connect_id, name: c151 }, { param: connect_id, name: c152 }, { param: connect_id, name: c153 }, { param: connect_id, name: c154 }, { param: connect_id, name: c155 }, { param: connect_id, name: c156 }, { param: connect_id, name: c157 }, { param: connect_id, name: c158 }, { param: connect_id, name: c159 }, { param: connect_id, name: c160 }, { param: connect_id, name: c161 }, { param: connect_id, name: c162 }, { param: connect_id, name: c163 }, { param: connect_id, name: c164 }, { param: connect_id, name: c165 }, { param: connect_id, name: c166 }, { param: connect_id, name: c167 }, { param: connect_id, name: c168 }, { param: connect_id, name: c169 }, { param: connect_id, name: c170 }, { param: connect_id, name: c171 }, { param: connect_id, name: c172 }, { param: connect_id, name: c173 }, { param: connect_id, name: c174 }, { param: connect_id, name: c175 }, { param: connect_id, name: c176 }, { param: connect_id, name: c177 }, { param: connect_id, name: c178 }, { param: connect_id, name: c179 }, { param: connect_id, name: c180 }, { param: connect_id, name: c181 }, { param: connect_id, name: c182 }, { param: connect_id, name: c183 }, { param: connect_id, name: c184 }, { param: connect_id, name: c185 }, { param: connect_id, name: c186 }, { param: connect_id, name: c187 }, { param: connect_id, name: c188 }, { param: connect_id, name: c189 }, { param: connect_id, name: c190 }, { param: connect_id, name: c191 }, { param: connect_id, name: c192 }, { param: connect_id, name: c193 }, { param: connect_id, name: c194 }, { param: connect_id, name: c195 }, { param: connect_id, name: c196 }, { param: connect_id, name: c197 }, { param: connect_id, name: c198 }, { param: connect_id, name: c199 }, { param: connect_id, name: c200 }, { param: connect_id, name: c201 }, { param: connect_id, name: c202 }, { param: connect_id, name: c203 }, { param: connect_id, name: c204 }, { param: connect_id, name: c205 }, { param: connect_id, name: c206 }, { param: connect_id, name: c207 }, { param: connect_id, name: c208 }, { param: connect_id, name: c209 }, { param: connect_id, name: c210 }, { param: connect_id, name: c211 }, { param: connect_id, name: c212 }, { param: connect_id, name: c213 }, { param: connect_id, name: c214 }, { param: connect_id, name: c215 }, { param: connect_id, name: c216 }, { param: connect_id, name: c217 }, { param: connect_id, name: c218 }, { param: connect_id, name: c219 }, { param: connect_id, name: c220 }, { param: connect_id, name: c221 }, { param: connect_id, name: c222 }, { param: connect_id, name: c223 }, { param: connect_id, name: c224 }, { param: connect_id, name: c225 }, { param: connect_id, name: c226 }, { param: connect_id, name: c227 }, { param: connect_id, name: c228 }, { param: connect_id, name: c229 }, { param: connect_id, name: c230 }, { param: connect_id, name: c231 }, { param: connect_id, name: c232 }, { param: connect_id, name: c233 }, { param: connect_id, name: c234 }, { param: connect_id, name: c235 }, { param: connect_id, name: c236 }, { param: connect_id, name: c237 }, { param: connect_id, name: c238 }, { param: connect_id, name: c239 }, { param: connect_id, name: c240 }, { param: connect_id, name: c241 }, { param: connect_id, name: c242 }, { param: connect_id, name: c243 }, { param: connect_id, name: c244 }, { param: connect_id, name: c245 }, { param: connect_id, name: c246 }, { param: connect_id, name: c247 }, { param: connect_id, name: c248 }, { param: connect_id, name: c249 }, { param: connect_id, name: c250 }, { param: connect_id, name: c251 }, { param: connect_id, name: c252 }, { param: connect_id, name: c253 }, { param: connect_id, name: c254 }, { param: connect_id, name: c255 }, { param: connect_id, name: c256 }]")];
    length_frames_neither_a_string_nor_bytes: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [connect_id, { param: kind, length: connect_id }, label]")];
    repeat_not_on_the_last_field: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [{ param: connect_id, repeat: { max: 3 } }, kind, label]")];
    repeat_bounds_out_of_order: [("commands/qtest.yaml", "fields: [connect_id, kind, label]", "fields: [connect_id, kind, { param: label, repeat: { min: 4, max: 2 } }]")];
    repeat_with_optional: [("urcs.yaml", "fields: [connect_id, err]", "fields: [connect_id, { param: err, optional: true, repeat: { max: 2 } }]")];
    repeat_on_a_request_parameter: [("commands/qtest.yaml", "      - { param: mode, optional: true, default: 0 }", "      - { param: mode, repeat: { max: 2 } }")];
    group_after_an_optional_parameter: [("commands/qtest.yaml", "    rules:\n      - if: { kind: { one_of: [udp_service] } }", "    repeat: { name: extra, about: more labels, params: [label], max: 2 }\n    rules:\n      - if: { kind: { one_of: [udp_service] } }")];
    group_field_named_like_a_parameter_and_bounds_out_of_order: [("commands/qtest.yaml", "    params: [connect_id, payload_hex]\n", "    params: [connect_id, payload_hex]\n    repeat: { name: more, about: more data, params: [payload_hex], min: 3, max: 2 }\n")];
    response_time_by_settings_needs_one_duration: [("commands/qtest.yaml", "    max_response_time: 150s", "    max_response_time: 150s\n    max_response_time_by: [period, period, nothing]")];
    command_error_code_not_listed: [("commands/qtest.yaml", "about: exercises every construct once\n", "about: exercises every construct once\nerrors: [550, 999]\n")];
    per_names_no_integer_field: [("urcs.yaml", "    when: { mode: { one_of: [push] } }", "    when: { mode: { one_of: [push] } }\n    per: label")];
    // A setting that frames a payload says what each value means; each place says where.
    framing_missing_on_a_setting_that_frames: [("urcs.yaml", "    data: { length: recv_length }", "    data: { length: recv_length, encoding_by: mode, separator_by: period }")];
    framing_of_the_other_kind: [
        ("urcs.yaml", "    data: { length: recv_length }", "    data: { length: recv_length, separator_by: mode }"),
        ("params/common.yaml", "    - { value: 0, name: buffer, about: kept until read }\n    - { value: 1, name: push, about: pushed at once }", "    - { value: 0, name: buffer, about: kept until read, framing: raw }\n    - { value: 1, name: push, about: pushed at once, framing: crlf }"),
    ];
    prompt_encoding_by_unknown_setting: [("commands/qtest.yaml", "prompt: { length: send_length, max_len: 1460 }", "prompt: { length: send_length, max_len: 1460, encoding_by: nothing }")];
    prompt_encoding_by_unframed_setting: [("commands/qtest.yaml", "prompt: { length: send_length, max_len: 1460 }", "prompt: { length: send_length, max_len: 1460, encoding_by: mode }")];
    // A per-instance setting: its index is an integer type, and where it is set or read the
    // instance is named.
    per_setting_index_is_no_integer: [("params/common.yaml", "  about: how data arrives\n", "  about: how data arrives\n  per: label\n")];
    per_setting_not_named_where_read: [("params/common.yaml", "  about: how data arrives\n", "  about: how data arrives\n  per: period\n")];
    per_setting_not_named_where_set: [("params/common.yaml", "  about: how data arrives\n", "  about: how data arrives\n  per: length\n")];
    per_setting_not_named_by_the_line_it_frames: [
        ("commands/qtest.yaml", "data: { length: actual_length }", "data: { length: actual_length, encoding_by: mode }"),
        ("params/common.yaml", "  about: how data arrives\n", "  about: how data arrives\n  per: connect_id\n"),
        ("params/common.yaml", "    - { value: 0, name: buffer, about: kept until read }\n    - { value: 1, name: push, about: pushed at once }", "    - { value: 0, name: buffer, about: kept until read, framing: raw }\n    - { value: 1, name: push, about: pushed at once, framing: hex }"),
    ];
    urc_per_on_a_module_wide_setting: [("urcs.yaml", "    when: { mode: { one_of: [push] } }", "    when: { mode: { one_of: [push] } }\n    per: connect_id")];
    comment_inside_a_flow_mapping: [("urcs.yaml", "    data: { length: recv_length }", "    data: { length: recv_length # the length field }")];
    // Files that do not read are reported beside the meaning of those that do, and what
    // refers to them (the URC `later:` names, the transcripts) is not reported as unknown.
    every_phase_is_reported_at_once: [
        ("urcs.yaml", "    prefix: \"+QTEST\"", "    prefix: [\"+QTEST\""),
        ("commands/qtest.yaml", "    about: lists sockets", "    abut: lists sockets"),
        ("params/common.yaml", "default: 60", "default: 5"),
    ];
    a_broken_params_file_hides_no_other_problem: [
        ("params/common.yaml", "default: 60", "default: [60"),
        ("errors.yaml", "code: 550", "code: 0"),
    ];
    all_problems_are_reported_at_once: [
        ("params/common.yaml", "default: 60", "default: 5"),
        ("commands/qtest.yaml", "later: [opened]", "later: [open]"),
        ("urcs.yaml", "errata: []", "  - { name: closed, prefix: \"+QIURC\", section: \"9.3\", about: closed, fields: [connect_id] }\nerrata: []"),
    ];
}
