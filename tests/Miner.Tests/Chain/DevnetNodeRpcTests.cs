using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Proofs;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// The devnet node served over Lotus JSON-RPC (in memory, no socket): what a client of a real node sends and reads
/// round-trips through it, so the devnet answers the same wire a full node does.
/// </summary>
public sealed class DevnetNodeRpcTests
{
    private static readonly TimeSpan Epoch = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task A_pre_commit_pushed_waited_for_and_read_back_over_json_rpc_matches_what_the_node_holds()
    {
        var node = new DevnetNode(new DevnetNodeOptions { EpochDuration = Epoch }, _time, NullLogger<DevnetNode>.Instance);
        var handler = new InMemoryRpc(RpcServer.Create<IFullNodeApi>(node));
        var client = RpcClient.Create(new Uri("http://devnet.test/rpc/v1"), new RpcClientOptions { HttpClient = new HttpClient(handler) }).CreateProxy<IFullNodeApi>();
        _time.Advance(Epoch * 100);

        var head = await client.ChainHeadAsync(CancellationToken.None);
        Assert.Equal(100, head.Height);
        Assert.Equal(node.TipSetKey(100), head.Cids);
        using (var raw = JsonDocument.Parse(handler.LastResponse!))
        {
            Assert.Equal(JsonValueKind.Object, raw.RootElement.GetProperty("result").GetProperty("Cids")[0].ValueKind); // {"/": "..."}
        }

        var info = await client.StateMinerInfoAsync(node.MinerAddress, head.Cids, CancellationToken.None);
        Assert.Equal((node.WorkerAddress, node.OwnerAddress, 2048UL, 2UL), (info.Worker, info.Owner, info.SectorSize, info.WindowPoStPartitionSectors));
        Assert.Equal("t0101", info.Worker.ToString());

        var sector = new SectorPreCommitInfo
        {
            SealProof = RegisteredSealProof.StackedDrg2KiBV1_1,
            SectorNumber = 9,
            SealedCID = Cid.Parse(BenchSector.CommR),
            SealRandEpoch = 60,
            DealIDs = [],
            Expiration = 100 + ActorPolicy.MinSectorExpiration + 10,
        };
        var signed = await client.MpoolPushMessageAsync(
            new ChainMessage { To = node.MinerAddress, From = info.Worker, Method = MinerMethods.PreCommitSectorBatch2, Params = new PreCommitSectorBatchParams2([sector]).ToCbor() },
            new MessageSendSpec { MaxFee = TokenAmount.FromFil(0.1m) },
            CancellationToken.None);
        Assert.Equal(signed.Message.Cid(), signed.Cid);

        _time.Advance(Epoch * 2); // included at 101, one epoch on top at 102: the wait answers at once
        var lookup = await client.StateWaitMsgAsync(signed.Cid, 1, -1, true, CancellationToken.None);
        Assert.Equal((signed.Cid, 101L, ExitCodes.Ok), (lookup.Message, lookup.Height, lookup.Receipt.ExitCode));
        var onChain = await client.StateSectorPreCommitInfoAsync(node.MinerAddress, 9, [], CancellationToken.None);
        Assert.Equal((sector.SealedCID, sector.SealRandEpoch, sector.Expiration, 101L), (onChain!.Info.SealedCID, onChain.Info.SealRandEpoch, onChain.Info.Expiration, onChain.PreCommitEpoch));
        Assert.Equal(BitField.FromSet([9]), await client.StateMinerAllocatedAsync(node.MinerAddress, [], CancellationToken.None));

        // A refusal of the node is a JSON-RPC error, which FullNodeChain reports naming the node and the method.
        var chain = FullNodeChain.Connect("/ip4/127.0.0.1/tcp/1234/http", 't', Epoch, _time, NullLogger<FullNodeChain>.Instance, new HttpClient(handler));
        var error = await Assert.ThrowsAsync<ChainException>(() => chain.ProvingDeadlineAsync(1001, CancellationToken.None));
        Assert.False(error.IsRetryable);
        Assert.Contains("StateMinerProvingDeadline failed: failed to load miner actor t01001: actor not found", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Hands each HTTP request body to the server, as the /rpc/v1 endpoint would, with every permission.</summary>
    private sealed class InMemoryRpc(RpcServer server) : HttpMessageHandler
    {
        public string? LastResponse { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            var status = await server.HandleRequestAsync(body, Permission.All, output, cancellationToken);
            LastResponse = Encoding.UTF8.GetString(output.WrittenSpan);
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(output.WrittenMemory.ToArray()) };
        }
    }
}
