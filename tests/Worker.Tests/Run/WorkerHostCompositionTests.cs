using System.Reflection;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs.Sdr;
using Kiln.Worker.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// The worker host composed by AddKilnWorker/MapKilnWorker, against a stub miner: options are checked before the
/// miner is called, and with <c>--listen 127.0.0.1:0</c> the server binds a port of the system's choosing and that
/// bound address is what the worker registers with (Lotus cli/worker/worker.go runCmd sends its listen address).
/// </summary>
public sealed class WorkerHostCompositionTests : IDisposable
{
    private const string Token = "stub-token";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-workerhost-" + Guid.NewGuid().ToString("N"));
    private readonly IMinerStorageApi _minerProxy = DispatchProxy.Create<IMinerStorageApi, StubMiner>();

    private StubMiner Miner => (StubMiner)(object)_minerProxy;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private WorkerOptions Options(string listen) => new()
    {
        Listen = listen,
        Name = "composed-worker",
        RepoPath = Path.Combine(_dir, "repo"),
        NoLocalStorage = true,
        Snark = new Kiln.Proofs.Snark.SnarkProverOptions { UseInsecureTestProofs = true },
    };

    private Task<WorkerHost> StartAsync(WorkerOptions options) =>
        WorkerHost.StartAsync(
            options,
            new KilnWorkerConnection(new ApiInfo(Token, "/ip4/127.0.0.1/tcp/1/http"), new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") }, _ => null),
            TimeProvider.System,
            services => services.AddSingleton(_minerProxy),
            CancellationToken.None);

    [Fact]
    public async Task Listen_port_0_is_bound_by_the_server_and_the_bound_address_is_registered_with_the_miner()
    {
        await using var host = await StartAsync(Options("127.0.0.1:0"));

        var url = new Uri(host.RpcUrl);
        Assert.Equal(("127.0.0.1", "/rpc/v0"), (url.Host, url.AbsolutePath));
        Assert.NotEqual(0, url.Port);
        Assert.Equal(host.RpcUrl, await Miner.ConnectedUrlAsync());
        Assert.Equal($"/ip4/127.0.0.1/tcp/{url.Port}", host.Repo.ReadApi());

        // The announced address is the one serving the worker API.
        await using var client = RpcClient.Create(url, new RpcClientOptions { Token = Token });
        var worker = client.CreateProxy<IWorkerApi>();
        Assert.Equal(ApiVersion.Worker, await worker.VersionAsync(CancellationToken.None));
        Assert.Equal(host.Api.ProcessSession, await worker.SessionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Bad_options_stop_the_worker_with_the_flags_message_before_the_miner_is_called()
    {
        var options = Options("127.0.0.1:0");
        options.ParallelFetchLimit = 0;

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(options));

        Assert.Equal("--parallel-fetch-limit must be positive", Assert.Single(e.Failures));
        Assert.Empty(Miner.Calls);
    }

    [Fact]
    public void The_validator_passes_good_options_and_fails_a_bad_listen_address()
    {
        var validator = new WorkerOptionsValidator();

        Assert.True(validator.Validate(null, Options("127.0.0.1:0")).Succeeded);
        var bad = validator.Validate(null, Options("localhost"));
        Assert.True(bad.Failed);
        Assert.Equal("invalid --listen 'localhost': expected <ip>:<port>, e.g. 0.0.0.0:3456", bad.FailureMessage);
    }
}
