using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Cli;

/// <summary>CLI access to a running kiln-miner through its repo's <c>api</c> and <c>token</c> files.</summary>
internal sealed class MinerClient(IMinerStorageApi storage, IKilnMinerApi kiln)
{
    public IMinerStorageApi Storage { get; } = storage;

    public IKilnMinerApi Kiln { get; } = kiln;

    public static MinerClient Connect(MinerRepo repo)
    {
        var api = repo.ReadApi() ?? throw new ArgumentException($"no api file in {repo.Path}: is `kiln-miner run` running?");
        var rpc = RpcClient.Create(new ApiInfo(repo.ReadToken(), api).HttpUrl(), new RpcClientOptions { Token = repo.ReadToken() });
        return new MinerClient(rpc.CreateProxy<IMinerStorageApi>(), rpc.CreateProxy<IKilnMinerApi>());
    }
}
