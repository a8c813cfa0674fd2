//! reqwless, unmodified, through embedded-nal-async only (`TcpConnect` and `Dns`): GET and
//! POST of bodies over 100 KB to a loopback HTTP server, checked byte-exact both ways, with a
//! `Content-Length` and chunked responses, one request per connection and several on a kept-
//! alive one. Each flow runs on the host's sockets (the control) and on the quectel-qi stack
//! over the virtual module.

mod third_party;

use qi_tests::e2e::block_on;
use qi_tests::http_server::HttpServer;
use qi_tests::std_net::StdNet;
use quectel_qi::AccessMode;
use third_party::http::*;
use third_party::on_stack;

mod on_host_sockets {
    use super::*;

    #[test]
    fn get_with_content_length_and_chunked() {
        let server = HttpServer::start().unwrap();
        block_on(get_both_framings(&StdNet, &server));
    }

    #[test]
    fn post_is_received_and_echoed_byte_exact() {
        let server = HttpServer::start().unwrap();
        block_on(post_echo(&StdNet, &server));
    }

    #[test]
    fn three_requests_on_one_kept_alive_connection() {
        let server = HttpServer::start().unwrap();
        block_on(keep_alive(&StdNet, &server));
    }
}

mod on_the_stack {
    use super::*;

    #[test]
    fn get_with_content_length_and_chunked_in_buffer_access() {
        let server = HttpServer::start().unwrap();
        on_stack(AccessMode::BufferAccess, async |stack| {
            get_both_framings(stack, &server).await
        });
    }

    #[test]
    fn get_with_content_length_and_chunked_in_direct_push() {
        let server = HttpServer::start().unwrap();
        on_stack(AccessMode::DirectPush, async |stack| {
            get_both_framings(stack, &server).await
        });
    }

    #[test]
    fn post_is_received_and_echoed_byte_exact() {
        let server = HttpServer::start().unwrap();
        on_stack(AccessMode::BufferAccess, async |stack| {
            post_echo(stack, &server).await
        });
    }

    #[test]
    fn three_requests_on_one_kept_alive_connection() {
        let server = HttpServer::start().unwrap();
        on_stack(AccessMode::DirectPush, async |stack| {
            keep_alive(stack, &server).await
        });
    }
}
