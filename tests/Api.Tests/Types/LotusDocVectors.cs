namespace Kiln.Api.Tests.Types;

/// <summary>
/// The per-method examples of Lotus's generated API docs (documentation/en/api-methods-worker.md and
/// api-methods-miner.md, lotus b835fab), verbatim: params array and result of every method a worker serves or calls.
/// </summary>
internal static class LotusDocVectors
{
    /// <summary>(api, method, params JSON, result JSON); "&lt;Appendix RT&gt;" stands for <see cref="ResourceTable"/>.</summary>
    public static readonly IReadOnlyList<(string Api, string Method, string Params, string Result)> All =
    [
        ("Worker", "Version",
            """
            null
            """,
            """
            131840
            """),
        ("Worker", "Session",
            """
            null
            """,
            """
            "07070707-0707-0707-0707-070707070707"
            """),
        ("Worker", "ProcessSession",
            """
            null
            """,
            """
            "07070707-0707-0707-0707-070707070707"
            """),
        ("Worker", "Enabled",
            """
            null
            """,
            """
            true
            """),
        ("Worker", "SetEnabled",
            """
            [
              true
            ]
            """,
            """
            {}
            """),
        ("Worker", "TaskTypes",
            """
            null
            """,
            """
            {
              "seal/v0/precommit/2": {}
            }
            """),
        ("Worker", "TaskEnable",
            """
            [
              "seal/v0/commit/2"
            ]
            """,
            """
            {}
            """),
        ("Worker", "TaskDisable",
            """
            [
              "seal/v0/commit/2"
            ]
            """,
            """
            {}
            """),
        ("Worker", "Paths",
            """
            null
            """,
            """
            [
              {
                "ID": "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
                "Weight": 42,
                "LocalPath": "string value",
                "CanSeal": true,
                "CanStore": true
              }
            ]
            """),
        ("Worker", "Info",
            """
            null
            """,
            """
            {
              "Hostname": "string value",
              "IgnoreResources": true,
              "Resources": {
                "MemPhysical": 42,
                "MemUsed": 42,
                "MemSwap": 42,
                "MemSwapUsed": 42,
                "CPUs": 42,
                "GPUs": [
                  "string value"
                ],
                "Resources": "<Appendix RT>"
              }
            }
            """),
        ("Worker", "StorageLocal",
            """
            null
            """,
            """
            {
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8": "/data/path"
            }
            """),
        ("Worker", "StorageAddLocal",
            """
            [
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Worker", "StorageDetachLocal",
            """
            [
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Worker", "StorageDetachAll",
            """
            null
            """,
            """
            {}
            """),
        ("Worker", "StorageRedeclareLocal",
            """
            [
              "1399aa04-2625-44b1-bad4-bd07b59b22c4",
              true
            ]
            """,
            """
            {}
            """),
        ("Worker", "Remove",
            """
            [
              {
                "Miner": 1000,
                "Number": 9
              }
            ]
            """,
            """
            {}
            """),
        ("Worker", "WaitQuiet",
            """
            null
            """,
            """
            {}
            """),
        ("Worker", "Shutdown",
            """
            null
            """,
            """
            {}
            """),
        ("Worker", "Fetch",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              1,
              "sealing",
              "move"
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "DataCid",
            """
            [
              1024,
              {}
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "AddPiece",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              [
                1024
              ],
              1024,
              {}
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "SealPreCommit1",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              "Bw==",
              [
                {
                  "Size": 1032,
                  "PieceCID": {
                    "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                  }
                }
              ]
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "SealPreCommit2",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              "Bw=="
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "SealCommit1",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              "Bw==",
              "Bw==",
              [
                {
                  "Size": 1032,
                  "PieceCID": {
                    "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                  }
                }
              ],
              {
                "Unsealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                },
                "Sealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                }
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "SealCommit2",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              "Bw=="
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "FinalizeSector",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "ReleaseUnsealed",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              [
                {
                  "Offset": 1024,
                  "Size": 1024
                }
              ]
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "MoveStorage",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              1
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "UnsealPiece",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              1040384,
              1024,
              "Bw==",
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "ReplicaUpdate",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              [
                {
                  "Size": 1032,
                  "PieceCID": {
                    "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                  }
                }
              ]
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "ProveReplicaUpdate1",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "ProveReplicaUpdate2",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              },
              [
                "Ynl0ZSBhcnJheQ=="
              ]
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "GenerateSectorKeyFromData",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "FinalizeReplicaUpdate",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "DownloadSectorData",
            """
            [
              {
                "ID": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ProofType": 8
              },
              true,
              {
                "2": {
                  "Local": false,
                  "URL": "https://example.com/sealingservice/sectors/s-f0123-12345",
                  "Headers": null
                }
              }
            ]
            """,
            """
            {
              "Sector": {
                "Miner": 1000,
                "Number": 9
              },
              "ID": "07070707-0707-0707-0707-070707070707"
            }
            """),
        ("Worker", "GenerateWindowPoSt",
            """
            [
              8,
              1000,
              [
                {
                  "SealProof": 8,
                  "SectorNumber": 9,
                  "SealedCID": {
                    "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                  },
                  "Challenge": [
                    42
                  ],
                  "Update": true
                }
              ],
              123,
              "Bw=="
            ]
            """,
            """
            {
              "PoStProofs": {
                "PoStProof": 8,
                "ProofBytes": "Ynl0ZSBhcnJheQ=="
              },
              "Skipped": [
                {
                  "Miner": 1000,
                  "Number": 9
                }
              ]
            }
            """),
        ("Worker", "GenerateWinningPoSt",
            """
            [
              8,
              1000,
              [
                {
                  "SealProof": 8,
                  "SectorNumber": 9,
                  "SealedCID": {
                    "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                  },
                  "Challenge": [
                    42
                  ],
                  "Update": true
                }
              ],
              "Bw=="
            ]
            """,
            """
            [
              {
                "PoStProof": 8,
                "ProofBytes": "Ynl0ZSBhcnJheQ=="
              }
            ]
            """),
        ("Miner", "Version",
            """
            null
            """,
            """
            {
              "Version": "string value",
              "APIVersion": 131840,
              "BlockDelay": 42,
              "Agent": "string value"
            }
            """),
        ("Miner", "Session",
            """
            null
            """,
            """
            "07070707-0707-0707-0707-070707070707"
            """),
        ("Miner", "AuthVerify",
            """
            [
              "string value"
            ]
            """,
            """
            [
              "write"
            ]
            """),
        ("Miner", "AuthNew",
            """
            [
              [
                "write"
              ]
            ]
            """,
            """
            "Ynl0ZSBhcnJheQ=="
            """),
        ("Miner", "ActorAddress",
            """
            null
            """,
            """
            "f01234"
            """),
        ("Miner", "ActorSectorSize",
            """
            [
              "f01234"
            ]
            """,
            """
            34359738368
            """),
        ("Miner", "WorkerConnect",
            """
            [
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Miner", "WorkerJobs",
            """
            null
            """,
            """
            {
              "ef8d99a2-6865-4189-8ffa-9fef0f806eee": [
                {
                  "ID": {
                    "Sector": {
                      "Miner": 1000,
                      "Number": 100
                    },
                    "ID": "76081ba0-61bd-45a5-bc08-af05f1c26e5d"
                  },
                  "Sector": {
                    "Miner": 1000,
                    "Number": 100
                  },
                  "Task": "seal/v0/precommit/2",
                  "RunWait": 0,
                  "Start": "2020-11-12T09:22:07Z",
                  "Hostname": "host"
                }
              ]
            }
            """),
        ("Miner", "WorkerStats",
            """
            null
            """,
            """
            {
              "ef8d99a2-6865-4189-8ffa-9fef0f806eee": {
                "Info": {
                  "Hostname": "host",
                  "IgnoreResources": false,
                  "Resources": {
                    "MemPhysical": 274877906944,
                    "MemUsed": 2147483648,
                    "MemSwap": 128849018880,
                    "MemSwapUsed": 2147483648,
                    "CPUs": 64,
                    "GPUs": [
                      "aGPU 1337"
                    ],
                    "Resources": "<Appendix RT>"
                  }
                },
                "Tasks": null,
                "Enabled": true,
                "MemUsedMin": 0,
                "MemUsedMax": 0,
                "GpuUsed": 0,
                "CpuUse": 0,
                "TaskCounts": null
              }
            }
            """),
        ("Miner", "SealingAbort",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnDataCid",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Size": 1032,
                "PieceCID": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                }
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnAddPiece",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Size": 1032,
                "PieceCID": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                }
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnSealPreCommit1",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              "Bw==",
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnSealPreCommit2",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Unsealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                },
                "Sealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                }
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnSealCommit1",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              "Bw==",
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnSealCommit2",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              "Bw==",
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnFinalizeSector",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnReleaseUnsealed",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnReplicaUpdate",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "NewSealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                },
                "NewUnsealed": {
                  "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
                }
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnProveReplicaUpdate1",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              [
                "Ynl0ZSBhcnJheQ=="
              ],
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnProveReplicaUpdate2",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              "Bw==",
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnGenerateSectorKeyFromData",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnFinalizeReplicaUpdate",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnMoveStorage",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnUnsealPiece",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnReadPiece",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              true,
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnDownloadSector",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "ReturnFetch",
            """
            [
              {
                "Sector": {
                  "Miner": 1000,
                  "Number": 9
                },
                "ID": "07070707-0707-0707-0707-070707070707"
              },
              {
                "Code": 0,
                "Message": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageAttach",
            """
            [
              {
                "ID": "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
                "URLs": [
                  "string value"
                ],
                "Weight": 42,
                "MaxStorage": 42,
                "CanSeal": true,
                "CanStore": true,
                "Groups": [
                  "string value"
                ],
                "AllowTo": [
                  "string value"
                ],
                "AllowTypes": [
                  "string value"
                ],
                "DenyTypes": [
                  "string value"
                ],
                "AllowMiners": [
                  "string value"
                ],
                "DenyMiners": [
                  "string value"
                ]
              },
              {
                "Capacity": 9,
                "Available": 9,
                "FSAvailable": 9,
                "Reserved": 9,
                "Max": 9,
                "Used": 9
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageDetach",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageInfo",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8"
            ]
            """,
            """
            {
              "ID": "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
              "URLs": [
                "string value"
              ],
              "Weight": 42,
              "MaxStorage": 42,
              "CanSeal": true,
              "CanStore": true,
              "Groups": [
                "string value"
              ],
              "AllowTo": [
                "string value"
              ],
              "AllowTypes": [
                "string value"
              ],
              "DenyTypes": [
                "string value"
              ],
              "AllowMiners": [
                "string value"
              ],
              "DenyMiners": [
                "string value"
              ]
            }
            """),
        ("Miner", "StorageReportHealth",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
              {
                "Stat": {
                  "Capacity": 9,
                  "Available": 9,
                  "FSAvailable": 9,
                  "Reserved": 9,
                  "Max": 9,
                  "Used": 9
                },
                "Err": "string value"
              }
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageDeclareSector",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
              {
                "Miner": 1000,
                "Number": 9
              },
              1,
              true
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageDropSector",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
              {
                "Miner": 1000,
                "Number": 9
              },
              1
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageFindSector",
            """
            [
              {
                "Miner": 1000,
                "Number": 9
              },
              1,
              34359738368,
              true
            ]
            """,
            """
            [
              {
                "ID": "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
                "URLs": [
                  "string value"
                ],
                "BaseURLs": [
                  "string value"
                ],
                "Weight": 42,
                "CanSeal": true,
                "CanStore": true,
                "Primary": true,
                "AllowTypes": [
                  "string value"
                ],
                "DenyTypes": [
                  "string value"
                ],
                "AllowMiners": [
                  "string value"
                ],
                "DenyMiners": [
                  "string value"
                ]
              }
            ]
            """),
        ("Miner", "StorageBestAlloc",
            """
            [
              1,
              34359738368,
              "sealing",
              1000
            ]
            """,
            """
            [
              {
                "ID": "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8",
                "URLs": [
                  "string value"
                ],
                "Weight": 42,
                "MaxStorage": 42,
                "CanSeal": true,
                "CanStore": true,
                "Groups": [
                  "string value"
                ],
                "AllowTo": [
                  "string value"
                ],
                "AllowTypes": [
                  "string value"
                ],
                "DenyTypes": [
                  "string value"
                ],
                "AllowMiners": [
                  "string value"
                ],
                "DenyMiners": [
                  "string value"
                ]
              }
            ]
            """),
        ("Miner", "StorageLock",
            """
            [
              {
                "Miner": 1000,
                "Number": 9
              },
              1,
              1
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageTryLock",
            """
            [
              {
                "Miner": 1000,
                "Number": 9
              },
              1,
              1
            ]
            """,
            """
            true
            """),
        ("Miner", "StorageList",
            """
            null
            """,
            """
            {
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8": [
                {
                  "Miner": 1000,
                  "Number": 100,
                  "SectorFileType": 2
                }
              ]
            }
            """),
        ("Miner", "StorageGetLocks",
            """
            null
            """,
            """
            {
              "Locks": [
                {
                  "Sector": {
                    "Miner": 1000,
                    "Number": 123
                  },
                  "Write": [
                    0,
                    0,
                    1,
                    0,
                    0,
                    0
                  ],
                  "Read": [
                    2,
                    3,
                    0,
                    0,
                    0,
                    0
                  ]
                }
              ]
            }
            """),
        ("Miner", "StorageLocal",
            """
            null
            """,
            """
            {
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8": "/data/path"
            }
            """),
        ("Miner", "StorageStat",
            """
            [
              "76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8"
            ]
            """,
            """
            {
              "Capacity": 9,
              "Available": 9,
              "FSAvailable": 9,
              "Reserved": 9,
              "Max": 9,
              "Used": 9
            }
            """),
        ("Miner", "StorageAuthVerify",
            """
            [
              "string value"
            ]
            """,
            """
            [
              "write"
            ]
            """),
        ("Miner", "StorageAddLocal",
            """
            [
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageDetachLocal",
            """
            [
              "string value"
            ]
            """,
            """
            {}
            """),
        ("Miner", "StorageRedeclareLocal",
            """
            [
              "1399aa04-2625-44b1-bad4-bd07b59b22c4",
              true
            ]
            """,
            """
            {}
            """),
        ("Miner", "CheckProvable",
            """
            [
              8,
              [
                {
                  "ID": {
                    "Miner": 1000,
                    "Number": 9
                  },
                  "ProofType": 8
                }
              ]
            ]
            """,
            """
            {
              "123": "can't acquire read lock"
            }
            """),
        ("Miner", "ComputeDataCid",
            """
            [
              1024,
              {}
            ]
            """,
            """
            {
              "Size": 1032,
              "PieceCID": {
                "/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"
              }
            }
            """),
    ];

    /// <summary>The default resource table as the docs embed it (Worker <c>Info</c>, Miner <c>WorkerStats</c>); key order as in the docs.</summary>
    public const string ResourceTable =
        """
        {"post/v0/windowproof":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"13":{"MinMemory":32212254720,"MaxMemory":103079215104,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"14":{"MinMemory":64424509440,"MaxMemory":128849018880,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"3":{"MinMemory":32212254720,"MaxMemory":103079215104,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"4":{"MinMemory":64424509440,"MaxMemory":128849018880,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"8":{"MinMemory":32212254720,"MaxMemory":103079215104,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"9":{"MinMemory":64424509440,"MaxMemory":128849018880,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0}},"post/v0/winningproof":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"13":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"14":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"2":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"3":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"4":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"8":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"9":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0}},"seal/v0/addpiece":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/commit/1":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/commit/2":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"13":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"14":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"3":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"4":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"8":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"9":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0}},"seal/v0/datacid":{"0":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"1":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"10":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"11":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"12":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"6":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"7":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/fetch":{"0":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"1":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"10":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"11":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"12":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"13":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"14":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"2":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"3":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"4":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"5":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"6":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"7":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"8":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0},"9":{"MinMemory":1048576,"MaxMemory":1048576,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":0,"MaxConcurrent":0}},"seal/v0/precommit/1":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"13":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"14":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"2":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"3":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"4":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"8":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"9":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0}},"seal/v0/precommit/2":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":16106127360,"MaxMemory":16106127360,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":32212254720,"MaxMemory":32212254720,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":16106127360,"MaxMemory":16106127360,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":32212254720,"MaxMemory":32212254720,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":0,"MaxParallelism":-1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":16106127360,"MaxMemory":16106127360,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":32212254720,"MaxMemory":32212254720,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/provereplicaupdate/1":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":0,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/provereplicaupdate/2":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"13":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"14":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"3":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"4":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1610612736,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10737418240,"MaxConcurrent":0},"8":{"MinMemory":32212254720,"MaxMemory":161061273600,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":34359738368,"MaxConcurrent":0},"9":{"MinMemory":64424509440,"MaxMemory":204010946560,"GPUUtilization":1,"MaxParallelism":-1,"MaxParallelismGPU":6,"BaseMinMemory":68719476736,"MaxConcurrent":0}},"seal/v0/regensectorkey":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/replicaupdate":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"13":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"14":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"2":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"3":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"4":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":1073741824,"MaxMemory":1073741824,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1073741824,"MaxConcurrent":0},"8":{"MinMemory":4294967296,"MaxMemory":4294967296,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0},"9":{"MinMemory":8589934592,"MaxMemory":8589934592,"GPUUtilization":1,"MaxParallelism":1,"MaxParallelismGPU":6,"BaseMinMemory":1073741824,"MaxConcurrent":0}},"seal/v0/unseal":{"0":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"1":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"10":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"11":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"12":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"13":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"14":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"2":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"3":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"4":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"5":{"MinMemory":2048,"MaxMemory":2048,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":2048,"MaxConcurrent":0},"6":{"MinMemory":8388608,"MaxMemory":8388608,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":8388608,"MaxConcurrent":0},"7":{"MinMemory":805306368,"MaxMemory":1073741824,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":1048576,"MaxConcurrent":0},"8":{"MinMemory":60129542144,"MaxMemory":68719476736,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0},"9":{"MinMemory":120259084288,"MaxMemory":137438953472,"GPUUtilization":0,"MaxParallelism":1,"MaxParallelismGPU":0,"BaseMinMemory":10485760,"MaxConcurrent":0}}}
        """;
}
