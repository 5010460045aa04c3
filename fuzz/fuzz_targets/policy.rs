//! Fuzz the policy parser, compiler and evaluator: the input is
//! `ACTION\nRESOURCE\nPOLICY-TEXT`. Nothing may panic, and the explained decision must
//! equal the fast-path decision.
#![no_main]

use blastgraph_engine::policy::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\n');
    let (Some(action), Some(resource), Some(policy)) = (parts.next(), parts.next(), parts.next()) else {
        let _ = parse_policy(text, PolicyKind::Identity);
        return;
    };
    let principals = [
        Principal::parse("arn:aws:iam::111111111111:user/alice"),
        Principal::parse("arn:aws:sts::111111111111:assumed-role/dev/s1"),
        Principal::parse("sns.amazonaws.com"),
        Principal::parse("anonymous"),
    ];
    let action = Action::new(action);
    for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust, PolicyKind::Scp, PolicyKind::Rcp] {
        let Ok(p) = CompiledPolicy::from_text("fuzz", policy, kind) else { continue };
        for mode in [Mode::Strict, Mode::Discovery] {
            let mut ctx = Context::new(mode);
            ctx.set("aws:username", "alice").set("aws:SourceIp", "10.1.2.3");
            for principal in &principals {
                let req = Request { principal, action: &action, resource, resource_account: Some("222222222222"), context: &ctx };
                let layers = match kind {
                    PolicyKind::Identity => Layers { identity: vec![&p], boundary: vec![&p], session: vec![&p], ..Layers::default() },
                    PolicyKind::Scp => Layers { identity: vec![&p], scp_levels: vec![vec![&p]], ..Layers::default() },
                    PolicyKind::Rcp => Layers { rcp_levels: vec![vec![&p]], resource: Some(&p), ..Layers::default() },
                    _ => Layers { resource: Some(&p), ..Layers::default() },
                };
                let d = evaluate(&layers, &req);
                assert_eq!(explain(&layers, &req).decision, d);
            }
        }
    }
});
