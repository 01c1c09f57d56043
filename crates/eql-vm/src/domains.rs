//! What is known, without looking at events, about how many values an ECS field takes: the
//! literal prefilter uses it to estimate how selective a guard is, and the VM to put the tests
//! likeliest to fail first.

/// About how many values the ECS fields that take few of them have (ECS's allowed values for
/// the categorization fields, the common operating systems, protocols and sources); `None`
/// for a field of many values. Such a field makes a weak guard: `host.os.type == "windows"`
/// holds for a third of the events.
pub(crate) fn small_domain(path: &str) -> Option<usize> {
    Some(match path {
        "event.outcome" | "data_stream.type" | "network.type" => 3,
        "host.os.type" | "host.os.family" | "host.os.platform" | "os.type" => 6,
        "network.direction" | "network.transport" | "event.kind" | "agent.type" => 9,
        "event.category" | "event.type" | "network.protocol" => 17,
        "host.os.name" | "event.module" | "user.domain" => 30,
        "event.action" | "event.dataset" | "data_stream.dataset" | "event.provider" => 200,
        _ => return None,
    })
}
