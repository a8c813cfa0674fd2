//! reqwless flows against [`HttpServer`], written against embedded-nal-async only.

use qi_tests::e2e::{fnv1a, random_bytes};
use qi_tests::http_server::{body, HttpServer, Request};
use quectel_qi::embedded_io_async::Read;
use quectel_qi::embedded_nal_async::{Dns, TcpConnect};
use reqwless::client::HttpClient;
use reqwless::headers::ContentType;
use reqwless::request::{Method, RequestBuilder};

use super::assert_same;

/// Over 100 KB, and not a multiple of any buffer or chunk size.
const BODY_LEN: usize = 150 * 1024 + 7;
/// Room for a response's head.
const HEAD_BUF: usize = 4096;
/// What each `read` of a response body asks for.
const READ_CHUNK: usize = 4096;

async fn read_all<R: Read>(mut r: R) -> Vec<u8>
where
    R::Error: core::fmt::Debug,
{
    let mut out = Vec::new();
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        match r.read(&mut chunk).await.expect("read the body") {
            0 => return out,
            n => out.extend_from_slice(&chunk[..n]),
        }
    }
}

fn posted(server: &HttpServer) -> Request {
    server
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST")
        .expect("the server received a POST")
}

/// GET `/bytes/<n>` and `/chunked/<n>`, each on a connection of its own.
pub async fn get_both_framings<N: TcpConnect + Dns>(net: &N, server: &HttpServer) {
    let mut client = HttpClient::new(net, net);
    let mut head = [0u8; HEAD_BUF];
    for path in [format!("/bytes/{BODY_LEN}"), format!("/chunked/{BODY_LEN}")] {
        let url = server.url(&path);
        let mut request = client.request(Method::GET, &url).await.expect("connect");
        let response = request.send(&mut head).await.expect("send the GET");
        assert!(
            response.status.is_successful(),
            "{path}: {:?}",
            response.status
        );
        let got = read_all(response.body().reader()).await;
        assert_same(&path, &body(BODY_LEN), &got);
    }
}

/// POST a random body to `/echo`: the server must receive it and send it back unchanged.
pub async fn post_echo<N: TcpConnect + Dns>(net: &N, server: &HttpServer) {
    let sent = random_bytes(0xB0D7, BODY_LEN);
    let mut client = HttpClient::new(net, net);
    let mut head = [0u8; HEAD_BUF];
    let url = server.url("/echo");
    let mut request = client
        .request(Method::POST, &url)
        .await
        .expect("connect")
        .body(sent.as_slice())
        .content_type(ContentType::ApplicationOctetStream);
    let response = request.send(&mut head).await.expect("send the POST");
    assert!(response.status.is_successful(), "{:?}", response.status);
    assert_eq!(response.content_length, Some(BODY_LEN));
    let got = read_all(response.body().reader()).await;
    let received = posted(server);
    assert_eq!(
        (received.body_len, received.body_hash),
        (sent.len(), fnv1a(&sent)),
        "what the server received"
    );
    assert_same("the echo", &sent, &got);
}

/// A GET, a POST and a chunked GET on one kept-alive connection, to the server by name.
pub async fn keep_alive<N: TcpConnect + Dns>(net: &N, server: &HttpServer) {
    let sent = random_bytes(0xA11E, BODY_LEN);
    let mut client = HttpClient::new(net, net);
    let mut head = [0u8; HEAD_BUF];
    let base = server.url_by_name("");
    let mut resource = client.resource(&base).await.expect("connect");

    let path = format!("/bytes/{BODY_LEN}");
    let response = resource.get(&path).send(&mut head).await.expect("GET");
    assert!(response.status.is_successful(), "{:?}", response.status);
    assert_same(
        "GET",
        &body(BODY_LEN),
        &read_all(response.body().reader()).await,
    );

    let response = resource
        .post("/echo")
        .body(sent.as_slice())
        .content_type(ContentType::ApplicationOctetStream)
        .send(&mut head)
        .await
        .expect("POST");
    assert!(response.status.is_successful(), "{:?}", response.status);
    assert_same(
        "POST echo",
        &sent,
        &read_all(response.body().reader()).await,
    );

    let path = format!("/chunked/{BODY_LEN}");
    let response = resource
        .get(&path)
        .send(&mut head)
        .await
        .expect("chunked GET");
    assert_same(
        "chunked GET",
        &body(BODY_LEN),
        &read_all(response.body().reader()).await,
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|r| r.connection == requests[0].connection),
        "one connection for all three: {requests:?}"
    );
    assert_eq!(posted(server).body_hash, fnv1a(&sent));
}
