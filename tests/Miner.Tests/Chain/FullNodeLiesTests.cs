using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// A full node that answers the sealing calls with values that cannot be true gets a clear error naming the node, the
/// method and what was wrong, never a value the pipeline would act on (a negative balance, another sector's info, a
/// deadline past the last, a lookup with no receipt, a pushed message with no CID).
/// </summary>
public sealed class FullNodeLiesTests : IAsyncLifetime
{
    private FakeFullNode _node = null!;

    public async Task InitializeAsync() => _node = await FakeFullNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_negative_balance_or_deposit_is_refused()
    {
        _node.Results["Filecoin.WalletBalance"] = "\"-5\"";
        _node.Results["Filecoin.StateMinerPreCommitDepositForPower"] = "\"-1\"";
        var chain = Chain();

        var balance = await Assert.ThrowsAsync<ChainException>(() => chain.WalletBalanceAsync(Address.FromId(1002, 't'), CancellationToken.None));
        var deposit = await Assert.ThrowsAsync<ChainException>(() => chain.PreCommitDepositAsync(1000, new SectorPreCommitInfo { SectorNumber = 1 }, CancellationToken.None));

        Assert.Equal($"full node {chain.Endpoint}: WalletBalance answered a negative amount (-5 attoFIL)", balance.Message);
        Assert.Equal($"full node {chain.Endpoint}: StateMinerPreCommitDepositForPower answered a negative amount (-1 attoFIL)", deposit.Message);
        Assert.False(balance.IsRetryable);
    }

    [Fact]
    public async Task Another_sectors_info_or_a_deadline_past_the_last_is_refused()
    {
        _node.Results["Filecoin.StateSectorGetInfo"] = """{"SectorNumber":8,"SealProof":5,"SealedCID":{"/":"bagboea4b5abcaukssco2utgmo6wsg2rpcolapj2dj573bj7ri5s3ye2nhbdh5xdg"},"Activation":10,"Expiration":20,"DealWeight":"0","VerifiedDealWeight":"0","InitialPledge":"0"}""";
        _node.Results["Filecoin.StateSectorPartition"] = """{"Deadline":48,"Partition":0}""";
        var chain = Chain();

        var info = await Assert.ThrowsAsync<ChainException>(() => chain.SectorInfoAsync(1000, 7, null, CancellationToken.None));
        var location = await Assert.ThrowsAsync<ChainException>(() => chain.SectorPartitionAsync(1000, 7, CancellationToken.None));

        Assert.Equal($"full node {chain.Endpoint}: StateSectorGetInfo(7) answered sector 8", info.Message);
        Assert.Equal($"full node {chain.Endpoint}: StateSectorPartition(7) answered deadline 48, past the last (47)", location.Message);
    }

    [Fact]
    public async Task A_lookup_without_a_receipt_or_a_push_without_a_cid_is_refused()
    {
        var message = Cid.Parse("bafy2bzacebjrplkspxf7jc5dm6j5xlnxk4hfyhkqulronywlstce6qmoulrbi");
        _node.Results["Filecoin.StateWaitMsg"] = $$"""{"Message":{"/":"{{message}}"},"Receipt":null,"TipSet":[],"Height":10}""";
        _node.Results["Filecoin.MpoolPushMessage"] = """{"Message":{"Version":0,"To":"t01000","From":"t01002","Nonce":0,"Value":"0","GasLimit":0,"GasFeeCap":"0","GasPremium":"0","Method":28,"Params":null},"Signature":{"Type":2,"Data":null}}""";
        var chain = Chain();

        var wait = await Assert.ThrowsAsync<ChainException>(() => chain.WaitMessageAsync(message, 5, CancellationToken.None));
        var push = await Assert.ThrowsAsync<ChainException>(() => chain.SendAsync(new ChainMessage { To = Address.FromId(1000, 't'), From = Address.FromId(1002, 't'), Method = MinerMethods.PreCommitSectorBatch2 }, TokenAmount.Zero, CancellationToken.None));

        Assert.Equal($"full node {chain.Endpoint}: StateWaitMsg({message}) answered a lookup with no receipt or tipset", wait.Message);
        Assert.Equal($"full node {chain.Endpoint}: MpoolPushMessage answered no message CID", push.Message);
    }

    private FullNodeChain Chain() =>
        FullNodeChain.Connect(_node.ApiInfo, 't', TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<FullNodeChain>.Instance);
}
