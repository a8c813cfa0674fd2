//! A stack whose response slot is smaller than an answer the module gives: the answer is
//! refused whole with `ResponseTooLong` (docs of `StackResources`), and the stack goes on.

use core::ops::ControlFlow;

use embassy_futures::join::join;
use qi_tests::stack::test_config;
use quectel_qi::client::Error as ClientError;
use quectel_qi::qicfg;
use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE};
use quectel_qi::stack::{self, StackResources};

/// Room for short answers only: `AT+QICFG=?` answers about 4 KB.
const SMALL: usize = 256;

#[test]
fn an_answer_longer_than_the_slot_is_response_too_long_and_the_stack_goes_on() {
    let (end, running) = qi_sim::transport::duplex(qi_sim::Config::for_tests());
    let (reader, writer) = end.split();
    let resources: &'static mut StackResources<INGRESS_BUF_SIZE, SMALL, COMMAND_BUF_SIZE> =
        Box::leak(Box::new(StackResources::new()));
    let (stack, runner) = stack::new(resources, writer, reader, test_config());
    let control = running.control().clone();
    qi_tests::e2e::block_on(async {
        let app = async {
            {
                let mut c = stack.client().await.unwrap();
                let mut lines = 0;
                let long = c
                    .exec_lines(&qicfg::Test, |_| {
                        lines += 1;
                        ControlFlow::<()>::Continue(())
                    })
                    .await;
                assert_eq!(long, Err(ClientError::ResponseTooLong));
                assert_eq!(lines, 0, "nothing of a refused answer is decoded");
                // A short answer fits and decodes.
                let mode = c.exec(&qicfg::viewmode::Query).await.unwrap();
                assert_eq!(mode.view_mode, quectel_qi::ViewMode::HeaderCrlfData);
            }
            stack.activate("internet").await.unwrap();
            assert!(control.shutdown());
        };
        let (stopped, ()) = join(runner.run(), app).await;
        assert_eq!(stopped, stack::Stopped::EndOfStream);
    });
    running.join();
}
