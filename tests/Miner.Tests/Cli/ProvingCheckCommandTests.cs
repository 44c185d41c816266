using Kiln.Miner.Cli;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Tests.Cli;

/// <summary><c>kiln-miner proving check</c> prints Lotus's table (cli/miner/proving.go provingCheckProvableCmd): deadline, partition, sector, good or bad (reason).</summary>
public sealed class ProvingCheckCommandTests
{
    private static readonly ProvingCheckRow[] Rows =
    [
        new(5, 0, 11, null),
        new(5, 0, 12, "no storage path holds the sector's sealed file"),
        new(5, 1, 13, null),
    ];

    [Fact]
    public void Every_sector_is_listed_good_or_bad_with_its_reason()
    {
        using var output = new StringWriter();
        ProvingCommands.WriteCheck(output, Rows, onlyBad: false);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["deadline", "partition", "sector", "status"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(4, lines.Length);
        Assert.EndsWith("good", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("bad (no storage path holds the sector's sealed file)", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("5", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Only_bad_lists_the_bad_sectors()
    {
        using var output = new StringWriter();
        ProvingCommands.WriteCheck(output, Rows, onlyBad: true);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, lines.Length);
        Assert.Contains("12", lines[1], StringComparison.Ordinal);
    }
}
