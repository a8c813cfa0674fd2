//! rust-mqtt flows against [`MqttBroker`], on connections from embedded-nal-async's
//! `TcpConnect`.

use std::net::SocketAddr;
use std::num::NonZero;

use embassy_futures::join::join;
use qi_tests::broker::MqttBroker;
use qi_tests::e2e::random_bytes;
use quectel_qi::embedded_nal_async::{AddrType, Dns, TcpConnect};
use rust_mqtt::buffer::BumpBuffer;
use rust_mqtt::client::event::Event;
use rust_mqtt::client::options::{
    ConnectOptions, DisconnectOptions, PublicationOptions, SubscriptionOptions, TopicReference,
};
use rust_mqtt::client::Client;
use rust_mqtt::config::KeepAlive;
use rust_mqtt::io::Transport;
use rust_mqtt::types::{MqttString, PacketIdentifier, QoS, TopicFilter, TopicName};

/// What the bump allocator hands out over a whole flow (it is never reset).
const CLIENT_MEMORY: usize = 64 * 1024;
/// Payload sizes: empty, one byte, each side of one `AT+QISEND` (1460) and of one `AT+QIRD`
/// (1500), and a few of each.
const PAYLOAD_SIZES: [usize; 6] = [0, 1, 1459, 1461, 1501, 5000];

/// Longer than any flow: the client sends no PINGREQ.
const KEEP_ALIVE_S: u16 = 60;
/// Subscriptions, receive and send maximum, subscription identifiers, user properties, topic
/// aliases in and out.
type Mqtt<'a, 'c, N> = Client<'a, 'c, N, BumpBuffer<'c>, 1, 4, 4, 1, 16, 0, 0>;

/// The broker's address, its name resolved through `Dns`.
async fn broker_addr<N: Dns>(net: &N, broker: &MqttBroker) -> SocketAddr {
    let ip = net
        .get_host_by_name("localhost", AddrType::IPv4)
        .await
        .expect("resolve localhost");
    SocketAddr::new(ip, broker.port())
}

fn string(s: &str) -> MqttString<'_> {
    MqttString::from_str(s).expect("a valid MQTT string")
}

fn topic(s: &str) -> TopicName<'_> {
    TopicName::new(string(s)).expect("a valid topic name")
}

async fn connect<N: Transport>(client: &mut Mqtt<'_, '_, N>, net: N, id: &str) {
    // rumqttd refuses a keep-alive of 0 (none).
    let keep_alive = KeepAlive::Seconds(NonZero::new(KEEP_ALIVE_S).expect("not 0"));
    let options = ConnectOptions::new().clean_start().keep_alive(keep_alive);
    let connected = client
        .connect(net, &options, Some(string(id)))
        .await
        .expect("CONNECT, CONNACK");
    assert!(!connected.session_present);
}

async fn subscribe<N: Transport>(client: &mut Mqtt<'_, '_, N>, filter: &str) {
    let filter = TopicFilter::new(string(filter)).expect("a valid topic filter");
    let sent = client
        .subscribe(filter, &SubscriptionOptions::new().at_least_once())
        .await
        .expect("SUBSCRIBE");
    match client.poll().await.expect("SUBACK") {
        Event::Suback(s) => {
            assert_eq!(s.packet_identifier, sent);
            assert!(s.reason_code.is_success(), "{:?}", s.reason_code);
        }
        other => panic!("expected SUBACK, got {other:?}"),
    }
}

async fn publish<N: Transport>(
    client: &mut Mqtt<'_, '_, N>,
    to: &str,
    qos: QoS,
    payload: &[u8],
) -> Option<PacketIdentifier> {
    let options = PublicationOptions::new(TopicReference::Name(topic(to))).qos(qos);
    client
        .publish(&options, payload.into())
        .await
        .expect("PUBLISH")
}

/// What the client receives next: an incoming message (topic, payload) or the broker's
/// acknowledgement of one of ours. The QoS a message arrives with is the broker's choice
/// (rumqttd delivers at the subscription's QoS even what was published at QoS 0).
#[derive(Debug, PartialEq, Eq)]
enum Received {
    Message(String, Vec<u8>),
    Acknowledged(PacketIdentifier),
}

async fn receive<N: Transport>(client: &mut Mqtt<'_, '_, N>) -> Received {
    loop {
        match client.poll().await.expect("poll") {
            Event::Publish(p) => {
                let name = p.topic.name().expect("a topic name, not an alias");
                let name: &MqttString = name.as_ref();
                return Received::Message(name.as_str().into(), p.message.to_vec());
            }
            Event::PublishAcknowledged(a) => return Received::Acknowledged(a.packet_identifier),
            Event::Pingresp | Event::Ignored => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn disconnect<N: Transport>(client: &mut Mqtt<'_, '_, N>) {
    client
        .disconnect(&DisconnectOptions::new())
        .await
        .expect("DISCONNECT");
}

fn payloads(seed: u64) -> impl Iterator<Item = (QoS, Vec<u8>)> {
    PAYLOAD_SIZES.iter().enumerate().map(move |(i, n)| {
        let qos = [QoS::AtMostOnce, QoS::AtLeastOnce][i % 2];
        (qos, random_bytes(seed + i as u64, *n))
    })
}

/// One client subscribes to a topic and publishes to it: the broker sends each message back.
pub async fn publish_to_own_subscription<N: TcpConnect + Dns>(net: &N, broker: &MqttBroker) {
    let conn = net
        .connect(broker_addr(net, broker).await)
        .await
        .expect("TCP connect");
    let mut memory = vec![0u8; CLIENT_MEMORY];
    let mut bump = BumpBuffer::new(&mut memory);
    let mut client: Mqtt<'_, '_, _> = Client::new(&mut bump);
    connect(&mut client, conn, "qi-loop").await;
    subscribe(&mut client, "qi/loop").await;
    for (qos, payload) in payloads(0x10) {
        let id = publish(&mut client, "qi/loop", qos, &payload).await;
        let len = payload.len();
        let mut want = vec![Received::Message("qi/loop".into(), payload)];
        want.extend(id.map(Received::Acknowledged));
        let mut got = Vec::new();
        while got.len() < want.len() {
            got.push(receive(&mut client).await);
        }
        // The acknowledgement and the message back may come in either order.
        got.sort_by_key(|r| matches!(r, Received::Acknowledged(_)));
        assert_eq!(got, want, "{qos:?}, {len} bytes");
    }
    disconnect(&mut client).await;
}

/// How the subscriber of [`publisher_to_subscriber`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscriber {
    /// After the publisher is done: the messages wait for it meanwhile (in the module, with
    /// buffer access).
    ReadsAfter,
    /// At the same time as the publisher, as a task of its own would.
    ReadsAlongside,
}

/// Two connections open at once: a publisher's messages reach a subscriber through the broker
/// while the publisher waits for its acknowledgements.
pub async fn publisher_to_subscriber<N: TcpConnect + Dns>(
    net: &N,
    broker: &MqttBroker,
    reads: Subscriber,
) {
    let (mut sub_memory, mut pub_memory) = (vec![0u8; CLIENT_MEMORY], vec![0u8; CLIENT_MEMORY]);
    let (mut sub_bump, mut pub_bump) = (
        BumpBuffer::new(&mut sub_memory),
        BumpBuffer::new(&mut pub_memory),
    );
    let mut subscriber: Mqtt<'_, '_, _> = Client::new(&mut sub_bump);
    let mut publisher: Mqtt<'_, '_, _> = Client::new(&mut pub_bump);
    let conn = net
        .connect(broker_addr(net, broker).await)
        .await
        .expect("TCP connect");
    connect(&mut subscriber, conn, "qi-sub").await;
    subscribe(&mut subscriber, "qi/two/+").await;
    let conn = net
        .connect(broker_addr(net, broker).await)
        .await
        .expect("TCP connect");
    connect(&mut publisher, conn, "qi-pub").await;

    let sent: Vec<_> = payloads(0x20).collect();
    let publishing = async {
        for (i, (qos, payload)) in sent.iter().enumerate() {
            let to = format!("qi/two/{i}");
            if let Some(id) = publish(&mut publisher, &to, *qos, payload).await {
                assert_eq!(receive(&mut publisher).await, Received::Acknowledged(id));
            }
        }
    };
    let receiving = async {
        for (i, (_, payload)) in sent.iter().enumerate() {
            let want = Received::Message(format!("qi/two/{i}"), payload.clone());
            assert_eq!(receive(&mut subscriber).await, want, "message {i}");
        }
    };
    match reads {
        Subscriber::ReadsAfter => {
            publishing.await;
            receiving.await;
        }
        Subscriber::ReadsAlongside => {
            join(publishing, receiving).await;
        }
    }
    disconnect(&mut publisher).await;
    disconnect(&mut subscriber).await;
}
