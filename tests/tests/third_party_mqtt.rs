//! rust-mqtt (MQTT 5, without alloc: its bump allocator over a fixed buffer), unmodified, on a
//! connection from embedded-nal-async's `TcpConnect`, against a real broker (rumqttd) on
//! loopback: connect, subscribe, publish at QoS 0 and 1, receive byte-exact. Each flow runs on
//! the host's sockets (the control) and on the quectel-qi stack over the virtual module.

mod third_party;

use qi_tests::broker::MqttBroker;
use qi_tests::e2e::block_on;
use qi_tests::std_net::StdNet;
use quectel_qi::AccessMode;
use third_party::mqtt::*;
use third_party::on_stack;

mod on_host_sockets {
    use super::*;

    #[test]
    fn publish_to_own_subscription_at_qos_0_and_1() {
        let broker = MqttBroker::start().unwrap();
        block_on(publish_to_own_subscription(&StdNet, &broker));
    }

    #[test]
    fn publisher_reaches_subscriber_on_another_connection() {
        let broker = MqttBroker::start().unwrap();
        block_on(publisher_to_subscriber(
            &StdNet,
            &broker,
            Subscriber::ReadsAfter,
        ));
    }
}

mod on_the_stack {
    use super::*;

    #[test]
    fn publish_to_own_subscription_in_buffer_access() {
        let broker = MqttBroker::start().unwrap();
        on_stack(AccessMode::BufferAccess, async |stack| {
            publish_to_own_subscription(stack, &broker).await
        });
    }

    #[test]
    fn publish_to_own_subscription_in_direct_push() {
        let broker = MqttBroker::start().unwrap();
        on_stack(AccessMode::DirectPush, async |stack| {
            publish_to_own_subscription(stack, &broker).await
        });
    }

    /// With buffer access the module keeps the subscriber's messages until it reads.
    #[test]
    fn publisher_reaches_a_subscriber_that_reads_after_in_buffer_access() {
        let broker = MqttBroker::start().unwrap();
        on_stack(AccessMode::BufferAccess, async |stack| {
            publisher_to_subscriber(stack, &broker, Subscriber::ReadsAfter).await
        });
    }

    /// With direct push the stack holds pushed bytes, in one small buffer for every socket:
    /// the subscriber reads alongside (see tests/stack_push_fairness.rs for one that does not).
    #[test]
    fn publisher_reaches_a_subscriber_that_reads_alongside_in_direct_push() {
        let broker = MqttBroker::start().unwrap();
        on_stack(AccessMode::DirectPush, async |stack| {
            publisher_to_subscriber(stack, &broker, Subscriber::ReadsAlongside).await
        });
    }
}
