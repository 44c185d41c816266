using Kiln.Testing;
using Kiln.Worker.Run;

namespace Kiln.Worker.Tests;

/// <summary>kiln-worker's log event ids: one message per id in the process, each in its area's range, each named.</summary>
public sealed class LogEventIdTests
{
    private static readonly System.Reflection.Assembly[] WorkerProcess =
    [
        typeof(Kiln.Api.Logging.LogEvents).Assembly,
        typeof(Kiln.Stores.StoresException).Assembly,
        typeof(Kiln.Proofs.ProofsException).Assembly,
        typeof(WorkerHost).Assembly,
    ];

    [Fact]
    public void Every_log_message_of_the_worker_process_has_its_own_id_in_its_area_and_a_name()
    {
        Assert.Empty(LogEventIds.Problems(WorkerProcess));
    }

    [Fact]
    public void The_check_sees_the_worker_messages()
    {
        var messages = LogEventIds.Find(WorkerProcess);

        Assert.Contains(messages, m => m.Namespace == "Kiln.Worker.Run" && m.EventName == "MinerUnreachable" && m.EventId == 7001);
        Assert.Contains(messages, m => m.Namespace == "Kiln.Stores.Fetch" && m.EventId == 3200);
    }
}
