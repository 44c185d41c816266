using Kiln.Testing;
using Microsoft.Extensions.Logging;

namespace Kiln.Miner.Tests;

/// <summary>kiln-miner's log event ids: one message per id in the process, each in its area's range, each named.</summary>
public sealed partial class LogEventIdTests
{
    private static readonly System.Reflection.Assembly[] MinerProcess =
    [
        typeof(Kiln.Api.Logging.LogEvents).Assembly,
        typeof(Kiln.Stores.StoresException).Assembly,
        typeof(Kiln.Proofs.ProofsException).Assembly,
        typeof(MinerHost).Assembly,
    ];

    [Fact]
    public void Every_log_message_of_the_miner_process_has_its_own_id_in_its_area_and_a_name()
    {
        Assert.Empty(LogEventIds.Problems(MinerProcess));
    }

    [Fact]
    public void The_check_sees_the_messages_of_every_assembly()
    {
        var messages = LogEventIds.Find(MinerProcess);

        Assert.Contains(messages, m => m.Namespace == "Kiln.Api.JsonRpc" && m.EventId == 1001 && m.EventName == "RpcMissingPermission");
        Assert.Contains(messages, m => m.Namespace == "Kiln.Stores.Local" && m.EventId == 3000);
        Assert.Contains(messages, m => m.Namespace == "Kiln.Proofs.Memory" && m.EventId == 4000);
        Assert.Contains(messages, m => m.Namespace == "Kiln.Miner.Workers" && m.EventName == "WorkerUnknownTask");
    }

    [Fact]
    public void A_colliding_or_unnamed_message_is_reported()
    {
        var problems = LogEventIds.Problems(typeof(LogEventIdTests).Assembly);

        Assert.Contains(problems, p => p.Contains("event id 5000 is used by", StringComparison.Ordinal) && p.Contains(nameof(Fixture.First), StringComparison.Ordinal) && p.Contains(nameof(OtherFixture.Second), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(nameof(Fixture.Unnamed) + ": no EventName", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(nameof(Fixture.OutOfRange) + ": event id 7000 is outside Kiln.Miner's 5000–6999", StringComparison.Ordinal));
    }

    /// <summary>Messages that break the rules, for the check to find.</summary>
    private static partial class Fixture
    {
        [LoggerMessage(EventId = 5000, EventName = "FixtureFirst", Level = LogLevel.Debug, Message = "first")]
        public static partial void First(ILogger logger);

        [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "unnamed")]
        public static partial void Unnamed(ILogger logger);

        [LoggerMessage(EventId = 7000, EventName = "FixtureOutOfRange", Level = LogLevel.Debug, Message = "out of range")]
        public static partial void OutOfRange(ILogger logger);
    }

    /// <summary>A second class, so the id collision is across types as it is across assemblies.</summary>
    private static partial class OtherFixture
    {
        [LoggerMessage(EventId = 5000, EventName = "FixtureSecond", Level = LogLevel.Debug, Message = "second")]
        public static partial void Second(ILogger logger);
    }
}
