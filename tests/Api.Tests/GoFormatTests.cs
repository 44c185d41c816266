using System.Numerics;

namespace Kiln.Api.Tests;

public sealed class GoFormatTests
{
    [Theory]
    [InlineData(252322L, "25.2322ms")]
    [InlineData(138291478L, "13.8291478s")]
    [InlineData(10000000L, "1s")]
    [InlineData(15000000L, "1.5s")]
    [InlineData(1234567890L, "2m3.456789s")]
    [InlineData(36000000000L, "1h0m0s")]
    [InlineData(12340L, "1.234ms")]
    [InlineData(5L, "500ns")]
    [InlineData(15L, "1.5µs")]
    public void Durations_print_like_go(long ticks, string expected)
    {
        Assert.Equal(expected, GoFormat.Duration(TimeSpan.FromTicks(ticks)));
    }

    [Theory]
    [InlineData(148L, "148 B")]
    [InlineData(81162L, "79.26 KiB")]
    [InlineData(1024L, "1 KiB")]
    [InlineData(1048575L, "1024 KiB")]
    [InlineData(5279L, "5.155 KiB")]
    public void Sizes_print_like_lotus_size_str(long bytes, string expected)
    {
        Assert.Equal(expected, GoFormat.SizeStr(new BigInteger(bytes)));
    }

    [Fact]
    public void Bps_divides_bytes_by_the_duration()
    {
        Assert.Equal("2 KiB/s", GoFormat.Bps(2048, 1, TimeSpan.FromSeconds(1)));
        Assert.Equal("Nan", GoFormat.Bps(2048, 1, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("30s", 30_000L)]
    [InlineData("1m30s", 90_000L)]
    [InlineData("500ms", 500L)]
    [InlineData("1.5h", 5_400_000L)]
    [InlineData("20m0s", 1_200_000L)]
    public void Flag_durations_parse_as_go_reads_them(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoFormat.ParseDuration(text, "--partition-timeout"));

    [Theory]
    [InlineData("")]
    [InlineData("5x")]
    [InlineData("30")]
    [InlineData("s30")]
    [InlineData("30s junk")]
    public void Bad_flag_durations_name_the_flag(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => GoFormat.ParseDuration(text, "--partition-timeout"));
        Assert.Contains("--partition-timeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_printed_duration_reads_back() =>
        Assert.Equal(TimeSpan.FromMinutes(20), GoFormat.ParseDuration(GoFormat.Duration(TimeSpan.FromMinutes(20)), "--partition-timeout"));
}
