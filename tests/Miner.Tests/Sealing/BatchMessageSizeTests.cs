using System.Numerics;
using System.Security.Cryptography;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Sealing;
using Kiln.Proofs;
using Kiln.Testing.Chain;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Kiln.Miner.Tests.Sealing;

/// <summary>
/// A full batch of 64 sectors goes out as one PreCommitSectorBatch2 and one ProveCommitSectors3 message, read back from
/// the stand-in node's records (decoded there with its own CBOR decoder): sectors per message, params size, value and
/// the fee fields (MaxFee = 64 × Lotus's per-sector batch fee cap; gas limit and fee cap as the node filled them in).
/// </summary>
public sealed class BatchMessageSizeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sectors = 64;

    /// <summary>A mainnet-sized head: epochs and expirations take 5 bytes, as on mainnet today.</summary>
    private const long Head = 4_000_900;
    private LotusNodeStandIn _node = null!;
    private ChainBatches _batches = null!;

    public async Task InitializeAsync()
    {
        _node = await LotusNodeStandIn.StartAsync(startHeight: Head, network: 't');
        var chain = FullNodeChain.Connect(_node.ApiInfo, 't', TimeSpan.FromMilliseconds(50), TimeProvider.System, NullLogger<FullNodeChain>.Instance);
        var options = new SealingOptions { MaxPreCommitBatch = Sectors, MaxCommitBatch = Sectors };
        _batches = new ChainBatches(chain, _node.MinerId, options, TimeProvider.System, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        await _batches.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Sixty_four_precommits_go_in_one_message_and_their_proofs_in_another()
    {
        var deposit = new TokenAmount(_node.PreCommitDepositPerSector);
        var cutoff = DateTimeOffset.UtcNow.AddDays(1);
        var infos = Enumerable.Range(1000, Sectors).Select(n => new SectorPreCommitInfo
        {
            SealProof = RegisteredSealProof.StackedDrg2KiBV1_1,
            SectorNumber = (ulong)n,
            SealedCID = ProofsMapping.SealedCid(CommR(n)),
            SealRandEpoch = Head - 900,
            DealIDs = [],
            Expiration = SealingPolicy.Expiration(Head, Head - 900, 150, new SealingOptions().CommittedCapacitySectorLifetime),
        }).ToList();
        var added = infos.Select(i => _batches.PreCommits.AddAsync(new BatchEntry<PreCommitEntry>(i.SectorNumber, new PreCommitEntry(i, deposit), deposit, cutoff), CancellationToken.None)).ToArray();
        var results = await Task.WhenAll(added).WaitAsync(TimeSpan.FromSeconds(60));

        var pre = Assert.Single(_node.PreCommitBatches);
        Assert.All(results, r => Assert.Equal(pre.MessageCid, r.Message.ToString()));
        Assert.Equal(Enumerable.Range(1000, Sectors).Select(n => (ulong)n), pre.Sectors.Select(s => s.SectorNumber));
        // 81 98 40, then 64 7-tuples of 62 bytes (cbor-gen): 87, the proof, 19 xxxx (number), the CID (45), 1a xxxxxxxx
        // (ticket epoch), 80 (no deals), 1a xxxxxxxx (expiration), f6 (no UnsealedCid).
        Assert.Equal(3 + (Sectors * 62), pre.Params.Length);
        Assert.Equal(Sectors * _node.PreCommitDepositPerSector, pre.Value);
        Assert.Equal(Sectors * Fil("0.02"), pre.MaxFee);
        output.WriteLine($"PreCommitSectorBatch2 of {pre.Sectors.Count} sectors: 1 message, params {pre.Params.Length} bytes, value {pre.Value} attoFIL, MaxFee {pre.MaxFee} attoFIL, GasLimit {pre.GasLimit}, GasFeeCap {pre.GasFeeCap}, GasPremium {pre.GasPremium}");

        var pledge = new TokenAmount(_node.InitialPledgePerSector);
        var proofs = infos.Select(i => _batches.Commits.AddAsync(new BatchEntry<CommitEntry>(i.SectorNumber, new CommitEntry(new SectorActivationManifest(i.SectorNumber, []), RandomNumberGenerator.GetBytes(192), pledge), pledge, cutoff), CancellationToken.None)).ToArray();
        await Task.WhenAll(proofs).WaitAsync(TimeSpan.FromSeconds(60));

        var commit = Assert.Single(_node.ProveCommits);
        Assert.Equal(Sectors, commit.Activations.Count);
        Assert.Equal(Sectors, commit.SectorProofs.Count);
        Assert.All(commit.SectorProofs, p => Assert.Equal(192, p.Length));
        Assert.Equal(Sectors * _node.InitialPledgePerSector, commit.Value);
        Assert.Equal(Sectors * Fil("0.03"), commit.MaxFee);
        output.WriteLine($"ProveCommitSectors3 of {commit.Activations.Count} sectors: 1 message, params {commit.Params.Length} bytes, value {commit.Value} attoFIL, MaxFee {commit.MaxFee} attoFIL, GasLimit {commit.GasLimit}, GasFeeCap {commit.GasFeeCap}, GasPremium {commit.GasPremium}");
    }

    private static byte[] CommR(int n)
    {
        var commR = SHA256.HashData(BitConverter.GetBytes(n));
        commR[31] &= 0x3f; // a field element
        return commR;
    }

    private static BigInteger Fil(string fil) => TokenAmount.Parse(fil).Atto;
}
