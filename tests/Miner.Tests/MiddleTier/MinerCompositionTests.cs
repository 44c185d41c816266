using System.Collections.Concurrent;
using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Miner.Hosting;
using Kiln.Miner.Repo;
using Kiln.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Miner.Tests.MiddleTier;

/// <summary>AddKilnMiner / MapKilnMinerAsync: options validated before anything opens, port 0 bound and reported.</summary>
public sealed class MinerCompositionTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-compose-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> BadOptions => new()
    {
        { "negative partition timeout", "Proving.PartitionTimeout and Proving.WinningPoStTimeout must be positive" },
        { "negative session timeout", "Workers.HeartbeatInterval and Workers.SessionTimeout must be positive, not 00:00:10 and -00:00:05" },
        { "negative lost after", "Workers.LostAfter must not be negative" },
        { "negative backup interval", "database backup interval must not be negative" },
        { "unparsable sector size", "invalid size 'banana'" },
        { "mainnet letter", "network prefix must be 't' or 'f', not 'x'" },
        { "no windows", "Windows" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Invalid_options_fail_with_a_message_naming_the_setting_before_any_database_is_opened(string bad, string message)
    {
        var repo = Path.Combine(_dir, "repo");
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => TestMiner.StartAsync(repo, o => Break(o, bad)));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(repo, "*.sqlite"));
    }

    [Fact]
    public async Task Port_0_is_bound_and_the_real_address_is_logged_written_to_the_api_file_and_served()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.AddFilter<ListLoggerProvider>(typeof(KilnMiner).FullName, LogLevel.Information); // whatever Logging__LogLevel__Default says
        var repo = MinerRepo.Open(Path.Combine(_dir, "repo"));
        builder.Services.AddKilnMiner(repo, o => o.DatabaseBackupInterval = TimeSpan.Zero);
        await using var app = builder.Build();
        var miner = await app.MapKilnMinerAsync(cancellationToken: None);
        await app.StartAsync(None);

        var port = miner.RpcUrl.Port;
        Assert.NotEqual(0, port);
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/rpc/v0"), miner.RpcUrl);
        Assert.Equal($"/ip4/127.0.0.1/tcp/{port}/http", repo.ReadApi()); // Lotus node/repo/fsrepo.go SetAPIEndpoint's multiaddr
        Assert.Contains(logs.Messages, m => m.Contains($"listening on http://127.0.0.1:{port}/rpc/v0", StringComparison.Ordinal));

        await using var rpc = RpcClient.Create(new ApiInfo(repo.ReadToken(), repo.ReadApi()!).HttpUrl(), new RpcClientOptions { Token = repo.ReadToken() });
        Assert.Equal("t01000", await rpc.CreateProxy<IMinerStorageApi>().ActorAddressAsync(None));
        await app.StopAsync(None);
    }

    [Fact]
    public async Task A_host_that_adds_the_miner_but_never_maps_it_does_not_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddKilnMiner(MinerRepo.Open(Path.Combine(_dir, "repo")));
        await using var app = builder.Build();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(None));
        Assert.Contains("MapKilnMinerAsync was not called", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2345/", "/ip4/127.0.0.1/tcp/2345/http")]
    [InlineData("http://[::1]:2345/", "/ip6/::1/tcp/2345/http")]
    [InlineData("http://miner.local:80/", "/dns/miner.local/tcp/80/http")]
    public void The_api_multiaddr_names_the_address_family_as_lotus_does(string origin, string multiaddr) =>
        Assert.Equal(multiaddr, KilnMiner.Multiaddr(new Uri(origin)));

    private static void Break(MinerOptions o, string bad)
    {
        switch (bad)
        {
            case "negative partition timeout":
                o.Proving.PartitionTimeout = TimeSpan.FromMinutes(-1);
                break;
            case "negative session timeout":
                o.Workers.SessionTimeout = TimeSpan.FromSeconds(-5);
                break;
            case "negative lost after":
                o.Workers.LostAfter = TimeSpan.FromSeconds(-1);
                break;
            case "negative backup interval":
                o.DatabaseBackupInterval = TimeSpan.FromHours(-1);
                break;
            case "unparsable sector size":
                o.SectorSize = "banana";
                break;
            case "mainnet letter":
                o.Network = 'x';
                break;
            case "no windows":
                o.Scheduling = new Kiln.Miner.Scheduling.SchedulerOptions { Windows = 0 };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(bad), bad, "no such bad option");
        }
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                ArgumentNullException.ThrowIfNull(formatter);
                messages.Enqueue(formatter(state, exception));
            }
        }
    }
}
