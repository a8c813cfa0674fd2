//! reqwless and rust-mqtt at once on one stack, as tasks of one firmware would run them: an
//! HTTP download, an upload and an MQTT exchange on two connections, interleaved on the one
//! serial line, each byte-exact. Every reader reads as it goes (in direct push the stack holds
//! pushed bytes in one small buffer for all sockets: see tests/stack_push_fairness.rs).

mod third_party;

use embassy_futures::join::join3;
use qi_tests::broker::MqttBroker;
use qi_tests::http_server::HttpServer;
use quectel_qi::AccessMode;
use third_party::{http, mqtt, on_stack};

#[test]
fn http_and_mqtt_share_one_stack() {
    let server = HttpServer::start().unwrap();
    let broker = MqttBroker::start().unwrap();
    for mode in [AccessMode::BufferAccess, AccessMode::DirectPush] {
        on_stack(mode, async |stack| {
            join3(
                http::get_both_framings(stack, &server),
                http::post_echo(stack, &server),
                mqtt::publisher_to_subscriber(stack, &broker, mqtt::Subscriber::ReadsAlongside),
            )
            .await;
        });
    }
}
