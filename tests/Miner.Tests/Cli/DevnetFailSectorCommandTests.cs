using Kiln.Miner.Cli;

namespace Kiln.Miner.Tests.Cli;

/// <summary><c>kiln-miner devnet --fail-sector N</c> and the toggle on a running devnet, <c>kiln-miner devnet fail-sector N [--off]</c>.</summary>
public sealed class DevnetFailSectorCommandTests
{
    [Fact]
    public void The_devnet_takes_a_sector_to_fail_and_has_a_fail_sector_command_with_off()
    {
        var start = MinerCli.Build().Parse(["devnet", "--fail-sector", "7"]);
        Assert.Empty(start.Errors);
        Assert.Equal("devnet", start.CommandResult.Command.Name);
        Assert.Equal(7UL, start.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Single(o => o.Option.Name == "--fail-sector").GetValueOrDefault<ulong?>());

        var off = MinerCli.Build().Parse(["--repo", "/tmp/devnet/miner", "devnet", "fail-sector", "7", "--off"]);
        Assert.Empty(off.Errors);
        Assert.Equal("fail-sector", off.CommandResult.Command.Name);

        Assert.NotEmpty(MinerCli.Build().Parse(["devnet", "fail-sector", "seven"]).Errors);
    }
}
