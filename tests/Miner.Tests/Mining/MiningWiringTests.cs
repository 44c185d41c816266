using Kiln.Miner.Mining;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Mining;

/// <summary>kiln-miner mines on its chain (here the devnet's) unless <c>Proving.EnableMining</c> is off.</summary>
public sealed class MiningWiringTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-mining-wiring-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_proving_loop_mines_by_default_and_not_when_mining_is_disabled()
    {
        await using (var miner = await TestMiner.StartAsync(Path.Combine(_dir, "mining")))
        {
            Assert.IsType<MiningLoop>(miner.Miner.Proving.Loop.Mining);
        }

        await using (var prover = await TestMiner.StartAsync(Path.Combine(_dir, "proving-only"), o => o.Proving.EnableMining = false))
        {
            Assert.Null(prover.Miner.Proving.Loop.Mining);
        }
    }
}
