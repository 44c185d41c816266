using Kiln.Api.Logging;

namespace Kiln.Api.Tests.Logging;

/// <summary>The table of log event id ranges: areas nest in their assembly's range and never overlap otherwise.</summary>
public sealed class LogEventsTests
{
    [Fact]
    public void Areas_overlap_only_when_one_is_inside_the_other()
    {
        foreach (var a in LogEvents.Areas)
        {
            Assert.True(a.First <= a.Last, $"{a.Namespace}: {a.First} > {a.Last}");
            foreach (var b in LogEvents.Areas.Where(b => !ReferenceEquals(a, b)))
            {
                var overlap = a.First <= b.Last && b.First <= a.Last;
                var nested = (a.Covers(b.Namespace) && a.First <= b.First && b.Last <= a.Last) || (b.Covers(a.Namespace) && b.First <= a.First && a.Last <= b.Last);
                Assert.False(overlap && !nested, $"{a.Namespace} {a.First}–{a.Last} overlaps {b.Namespace} {b.First}–{b.Last}");
            }
        }
    }

    [Theory]
    [InlineData("Kiln.Miner.Sealing", "Kiln.Miner.Sealing")]
    [InlineData("Kiln.Miner", "Kiln.Miner")]
    [InlineData("Kiln.Miner.Repo", "Kiln.Miner")]
    [InlineData("Kiln.Api.Auth", "Kiln.Api.Auth")]
    [InlineData("Kiln.Api.JsonRpc", "Kiln.Api")]
    [InlineData("Kiln.MinerX", null)]
    [InlineData("Other", null)]
    public void A_namespace_takes_the_deepest_area_covering_it(string ns, string? area)
    {
        Assert.Equal(area, LogEvents.AreaOf(ns)?.Namespace);
    }
}
