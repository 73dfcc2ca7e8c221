; kbmc dump: 3 frame(s) of one step each (--semantics interleaved) from the initial state
; benchmark generated from rust API
(set-info :status unknown)
(declare-fun step@0 () Int)
(declare-fun step@1 () Int)
(declare-fun pod.agent.tainted-0.terminating@2 () Int)
(declare-fun step@2 () Int)
(declare-fun pod.agent.tainted-0.bound@3 () Int)
(declare-fun pod.agent.tainted-0.terminating@3 () Int)
(assert
 (let (($x53 (= step@0 0)))
 (or $x53)))
(assert
 (let (($x78 (= step@1 28)))
 (let (($x76 (= step@1 11)))
 (or $x76 $x78))))
(assert
 (let (($x76 (= step@1 11)))
 (let ((?x80 (ite $x76 0 1)))
 (= pod.agent.tainted-0.terminating@2 ?x80))))
(assert
 (let (($x89 (= step@2 13)))
 (let (($x86 (= step@2 0)))
 (or $x86 $x89))))
(assert
 (let (($x85 (< 0 pod.agent.tainted-0.terminating@2)))
 (let (($x89 (= step@2 13)))
 (=> $x89 $x85))))
(assert
 (let (($x86 (= step@2 0)))
 (let ((?x96 (ite $x86 1 0)))
 (= pod.agent.tainted-0.bound@3 ?x96))))
(assert
 (let (($x86 (= step@2 0)))
 (let ((?x101 (ite $x86 pod.agent.tainted-0.terminating@2 0)))
 (= pod.agent.tainted-0.terminating@3 ?x101))))
(assert
 (let (($x35 (and or (> pod.agent.tainted-0.terminating@3 pod.agent.tainted-0.terminating@2))))
 (let (($x45 (= false false)))
 (let (($x46 (= 0 0)))
 (let (($x42 (= 1 1)))
 (let (($x26 (= pod.agent.tainted-0.terminating@2 pod.agent.tainted-0.terminating@3)))
 (let (($x44 (= 0 pod.agent.tainted-0.bound@3)))
 (let (($x83 (= true true)))
 (let (($x25 (and $x83 $x83 $x83 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 $x44 $x46 $x46 $x46 $x46 $x46 $x26 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x78 (= step@1 28)))
 (let (($x82 (or $x78)))
 (let (($x37 (and $x82 (> pod.agent.tainted-0.terminating@2 0))))
 (let (($x43 (= 0 pod.agent.tainted-0.terminating@3)))
 (let (($x30 (and $x83 $x83 $x83 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 (= 1 pod.agent.tainted-0.bound@3) $x46 $x46 $x46 $x46 $x46 $x43 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x41 (and $x83 $x83 $x83 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 $x44 $x46 $x46 $x46 $x46 $x46 $x43 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x22 (or (and $x41 (or (and or (> 0 0)) $x37 $x35)) (and $x30 (or $x37 $x35)) (and $x25 (or $x35)))))
 (or $x22)))))))))))))))))
(check-sat)
