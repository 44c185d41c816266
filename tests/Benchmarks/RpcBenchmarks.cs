using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Api;
using Kiln.Api.JsonRpc;

namespace Kiln.Benchmarks;

/// <summary>
/// One small JSON-RPC call through the server's in-memory pipeline (parse, dispatch, invoke, write the
/// Go-ordered response), against the baseline of only parsing the request frame with Utf8JsonReader.
/// </summary>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    private static readonly byte[] AddRequest = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"Filecoin.Add","params":[40,2],"id":17}""");
    private static readonly byte[] VoidRequest = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"Filecoin.Ping","params":[],"id":18}""");
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private RpcServer _server = null!;

    [RpcNamespace("Filecoin")]
    public interface IBenchApi
    {
        [Perm(Permission.Read)]
        Task<int> AddAsync(int a, int b, CancellationToken cancellationToken);

        [Perm(Permission.Read)]
        Task PingAsync(CancellationToken cancellationToken);
    }

    private sealed class BenchApi : IBenchApi
    {
        public Task<int> AddAsync(int a, int b, CancellationToken cancellationToken) => Task.FromResult(a + b);

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [GlobalSetup]
    public void Setup() => _server = RpcServer.Create<IBenchApi>(new BenchApi());

    [Benchmark(Baseline = true)]
    public int ParseOnly()
    {
        var reader = new System.Text.Json.Utf8JsonReader(AddRequest);
        var n = 0;
        while (reader.Read())
        {
            n++;
        }

        return n;
    }

    [Benchmark]
    public int AddCall()
    {
        _output.ResetWrittenCount();
        return _server.HandleRequestAsync(AddRequest, Permission.All, _output).GetAwaiter().GetResult();
    }

    [Benchmark]
    public int VoidCall()
    {
        _output.ResetWrittenCount();
        return _server.HandleRequestAsync(VoidRequest, Permission.All, _output).GetAwaiter().GetResult();
    }
}
